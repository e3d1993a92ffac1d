"""Dockerfile conditions: tests on the stages of the shared Docker model (`ctx.docker_images`,
the classification UDEF004, UDEF008 and UDEF009 use).

- *Stages*: `runtime` is each Dockerfile's runtime stage (none in a separate test
  Dockerfile); `test` its test-named stages (every stage of a separate test Dockerfile);
  `all` every stage. `files` narrows the Dockerfiles by glob.
- *A stage's image* is the external image its chain of stages is built on (`FROM builder`
  follows `builder` to its own FROM), normalised (`python` is `python:latest`); `image`
  tests its name without the tag, `tag` its tag (`latest` when none is written, empty for a
  digest alone), `digest: true` asks for a `@sha256:` pin. The place is the FROM that names
  it. An image that needs a build argument without a default is unknown: no verdict.
- *user*: who the stage runs as (the last USER of its chain, resolved as UDEF009 resolves
  it, else the image's default); unknown gives no verdict.
- *instructions*: `present` asks for each instruction in the stage or the stages it is
  built FROM (what the image inherits; failing at the stage's FROM), `absent` fails at
  each such instruction.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from typing import TYPE_CHECKING

from udef_audit.docker_images import (
    ImageFile,
    defaults_to_non_root,
    effective_user,
    is_root_user,
    stage_chain,
    stage_key,
    stage_label,
)
from udef_audit.parsers.dockerfile import Instruction, Stage, root_image
from udef_audit.policies.language import DockerCheck, Evidence, Outcome, ValueTest, show

if TYPE_CHECKING:
    from udef_audit.policies.scope import Scope


def evaluate_docker(check: DockerCheck, scope: Scope) -> Outcome:
    """Every selected stage passes every test; the failures are each test a stage fails."""
    failures: list[Evidence] = []
    witnesses: list[Evidence] = []
    judged_images: set[tuple[str, int]] = set()  # stages built on one FROM: its image is judged once
    for image, stage in _stages(check, scope):
        origin = stage_chain(image.dockerfile, stage)[-1]
        first = (image.path, origin.index) not in judged_images
        judged_images.add((image.path, origin.index))
        for passed, evidence in _judge(check, image, stage, judge_image=first):
            (witnesses if passed else failures).append(evidence)
    return Outcome(not failures, tuple(failures or witnesses))


def _stages(check: DockerCheck, scope: Scope) -> Iterator[tuple[ImageFile, Stage]]:
    images = scope.ctx.docker_images
    for path in _dockerfiles(check, scope, images.paths):
        image = images.get(path)
        if image is not None:
            yield from ((image, stage) for stage in _selected(image, check.stages))


def _dockerfiles(check: DockerCheck, scope: Scope, paths: Iterable[str]) -> list[str]:
    """The Dockerfiles in the scope (the project's own), narrowed by the check's globs."""
    owned = scope.project.files if scope.project is not None else None
    wanted = set(scope.files(check.files)) if check.files else None
    return [path for path in paths if _chosen(path, scope.folder, owned, wanted)]


def _chosen(path: str, folder: str, owned: Collection[str] | None, wanted: set[str] | None) -> bool:
    inside = not folder or path.startswith(f"{folder}/")
    return inside and (owned is None or path in owned) and (wanted is None or path in wanted)


def _selected(image: ImageFile, stages: str) -> list[Stage]:
    test_file = image.name.is_test_file
    if stages == "runtime":
        return [] if test_file or image.runtime is None else [image.runtime]
    if stages == "test":
        return list(image.dockerfile.stages) if test_file else image.test_named
    return list(image.dockerfile.stages)


def _judge(check: DockerCheck, image: ImageFile, stage: Stage, *, judge_image: bool) -> Iterator[
    tuple[bool, Evidence]
]:
    base = {"stage": stage_label(stage).strip("`")}
    if judge_image and (check.image is not None or check.tag is not None or check.digest is not None):
        yield from _image_tests(check, image, stage, base)
    if check.user is not None:
        yield from _user_test(check.user, image, stage, base)
    yield from _instruction_tests(check, image, stage, base)


def _image_tests(check: DockerCheck, image: ImageFile, stage: Stage, base: dict[str, str]) -> Iterator[
    tuple[bool, Evidence]
]:
    reference = root_image(image.dockerfile, stage.index)
    if reference is None:
        return  # a FROM that needs an argument without a default: unknown
    name, tag, digest = split_reference(reference)
    origin = stage_chain(image.dockerfile, stage)[-1]
    captures = {**base, "image": reference, "tag": tag}
    tests: list[tuple[str, bool, str]] = []
    if check.image is not None:
        tests.append(("image", check.image.passes(name), _expected("image", check.image)))
    if check.tag is not None:
        tests.append(("tag", check.tag.passes(tag), _expected("tag", check.tag)))
    if check.digest is not None:
        tests.append(("digest", bool(digest) == check.digest, "pinned by digest" if check.digest else "no digest"))
    for what, passed, expected in tests:
        subject = f"{stage_key(stage)}|{what}|{reference}"
        yield passed, Evidence(image.path, origin.from_line, None, subject, {**captures, "expected": expected})


def _expected(what: str, test: ValueTest) -> str:
    return f"{what} {test.describe()}"


def split_reference(reference: str) -> tuple[str, str, str]:
    """(name, tag, digest) of a normalised image reference: `python:3.12-slim` is
    ("python", "3.12-slim", ""), `scratch` ("scratch", "", "")."""
    rest, _, digest = reference.partition("@")
    colon = rest.rfind(":")
    if colon > rest.rfind("/"):
        return rest[:colon], rest[colon + 1 :], digest
    return rest, "", digest


def _user_test(wanted: str, image: ImageFile, stage: Stage, base: dict[str, str]) -> Iterator[tuple[bool, Evidence]]:
    user = effective_user(image.dockerfile, stage)
    if user is None:
        return
    if user.step is not None:
        if user.user is None:
            return  # needs a variable without a default
        root, name, line = is_root_user(user.user), user.user, user.step.line
    else:
        if user.image is None:
            return
        root, name, line = not defaults_to_non_root(user.image), f"the default user of {user.image}", stage.from_line
    passed = root == (wanted == "root")
    captures = {**base, "user": show(name).strip("'"), "expected": f"user {wanted}"}
    yield passed, Evidence(image.path, line, None, f"{stage_key(stage)}|user", captures)


def _instruction_tests(check: DockerCheck, image: ImageFile, stage: Stage, base: dict[str, str]) -> Iterator[
    tuple[bool, Evidence]
]:
    if not check.present and not check.absent:
        return
    held = _chain_instructions(image, stage)
    for keyword in check.present:
        yield _required(image, stage, [i for i in held if i.keyword == keyword], {**base, "instruction": keyword})
    for keyword in check.absent:
        yield from _forbidden(image, stage, [i for i in held if i.keyword == keyword], {**base, "instruction": keyword})


def _required(image: ImageFile, stage: Stage, found: list[Instruction], captures: dict[str, str]) -> tuple[
    bool, Evidence
]:
    """The instruction the stage must have: at its first occurrence, or failing at the FROM."""
    keyword = captures["instruction"]
    line = found[0].start_line if found else stage.from_line
    wanted = {**captures, "expected": f"{keyword} present"}
    return bool(found), Evidence(image.path, line, None, f"{stage_key(stage)}|has|{keyword}", wanted)


def _forbidden(image: ImageFile, stage: Stage, found: list[Instruction], captures: dict[str, str]) -> Iterator[
    tuple[bool, Evidence]
]:
    """A failure at each instruction the stage must not have."""
    keyword = captures["instruction"]
    for instruction in found:
        subject = f"{stage_key(stage)}|no|{keyword}|{instruction.value[:100]}"
        wanted = {**captures, "expected": f"no {keyword}"}
        yield False, Evidence(image.path, instruction.start_line, None, subject, wanted)


def _chain_instructions(image: ImageFile, stage: Stage) -> list[Instruction]:
    """The instructions of the stage and of the stages it is built FROM (FROM lines left out)."""
    wanted = {s.index for s in stage_chain(image.dockerfile, stage)}
    held = []
    index = -1
    for instruction in image.dockerfile.instructions:
        if instruction.keyword == "FROM":
            index += 1
        elif index in wanted:
            held.append(instruction)
    return held
