"""The methodology's complexity budget on our own code.

Every function below 10 (radon cyclomatic complexity), as the methodology asks:
"Complexity metrics passing (<10)".
"""

from __future__ import annotations

import ast

import pytest
from conftest import REPO
from radon.complexity import cc_visit_ast

LIMIT = 10


@pytest.mark.requirement("batch:NFR-04")
@pytest.mark.requirement("engine:NFR-02")
def test_every_function_is_simple() -> None:
    too_complex = []
    for path in sorted((REPO / "src").rglob("*.py")):
        for block in cc_visit_ast(ast.parse(path.read_bytes())):
            if block.complexity >= LIMIT:
                too_complex.append(f"{path.relative_to(REPO)}:{block.lineno} {block.name} = {block.complexity}")
    assert too_complex == []
