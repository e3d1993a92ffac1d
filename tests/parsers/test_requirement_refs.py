"""Requirement IDs mentioned in test files (udef_audit.parsers.requirement_refs)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from udef_audit.parsers.requirement_refs import MAX_REFERENCES, Reference, find_references, may_reference

pytestmark = pytest.mark.requirement("specs:FR-07")

SOURCE = '''# health:FR-01 checks
def test_fr_01_status():  # NFR-2
    """Covers fr_003 and xfr_1 and FR-1a and FR-12."""
@pytest.mark.requirement("FR-01")
def test_health_fr_01(): pass
s = "\u00e9 FR-07"
'''.encode()


def test_whole_words_anywhere_with_what_stands_before() -> None:
    assert list(find_references(SOURCE)) == [
        Reference("FR-1", "FR-01", 1, 10, "health"),
        Reference("FR-1", "fr_01", 2, 10, "test"),
        Reference("NFR-2", "NFR-2", 2, 29, ""),
        Reference("FR-3", "fr_003", 3, 15, "covers"),
        Reference("FR-12", "FR-12", 3, 46, "and"),
        Reference("FR-1", "FR-01", 4, 27, ""),
        Reference("FR-1", "fr_01", 5, 17, "test-health"),
        Reference("FR-7", "FR-07", 6, 8, ""),
    ]


@pytest.mark.requirement("specs:NFR-03")
def test_the_prefilter_rejects_files_without_ids() -> None:
    assert not may_reference(b"def test_frames(): return 'fr' + '-' + 'x'\n")
    assert find_references(b"frame_1 = 'FR_' + '1'\n") == ()
    assert may_reference(b"# Fr_9\n")


def test_a_file_yields_a_bounded_number_of_references() -> None:
    assert len(find_references(b"FR-1 " * (MAX_REFERENCES + 5))) == MAX_REFERENCES


def test_references_round_trip_through_the_cache_form() -> None:
    for reference in find_references(SOURCE):
        assert Reference.from_dict(reference.to_dict()) == reference


@given(st.binary(max_size=2_000) | st.text(max_size=300).map(str.encode))
def test_any_bytes_scan_and_positions_stay_in_the_file(data: bytes) -> None:
    lines = data.split(b"\n")
    for reference in find_references(data):
        assert 1 <= reference.line <= len(lines)
        assert reference.column >= 1
