"""Shell snippets in Markdown and reStructuredText, one line per physical line."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from udef_audit.parsers.doc_snippets import Snippet, fence_language, shell_snippets

MARKDOWN = """\
# Install

```bash
pip install -r requirements.lock
```

```python
import os
```

```console
$ pip install \\
> --upgrade pip
Successfully installed pip
(venv) $ make test
```

~~~
uv sync
~~~

    $ indented prompt

Run `pip install x` inline, never a snippet.

```{code-block} bash
echo myst
```

```{eval-rst}
.. code-block:: bash
```
"""


def test_markdown_fences_prompts_and_myst() -> None:
    assert shell_snippets(MARKDOWN, "markdown") == [
        Snippet(4, "pip install -r requirements.lock"),
        # Console output becomes empty; prompts are blanked, continuation lines kept.
        Snippet(12, "  pip install \\\n  --upgrade pip\n\n         make test"),
        Snippet(19, "uv sync"),
        Snippet(22, "      indented prompt"),
        Snippet(27, "echo myst"),
    ]


RST = """\
Install
=======

.. code-block:: bash
   :caption: from the lock

   pip install -r requirements.lock

.. code-block:: python

   import os

Then::

    make test

.. note:: not code

$ uv sync
"""


def test_rst_directives_literal_blocks_and_prompts() -> None:
    assert shell_snippets(RST, "rst") == [
        Snippet(6, "\n   pip install -r requirements.lock"),
        Snippet(14, "\n    make test"),
        Snippet(19, "  uv sync"),
    ]


def test_fence_languages() -> None:
    assert [fence_language(info) for info in ("", "bash", "{.Bash}", "{code-block} sh", "{eval-rst}", "{code}")] == [
        "",
        "bash",
        "bash",
        "sh",
        "eval-rst",
        "",
    ]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(["```bash", "```", "~~~~", "$ pip install x", "> y", "text", "", "  ::", ".. code::"])),
    st.sampled_from(["markdown", "rst"]),
)
def test_snippets_keep_the_lines_of_the_file(lines: list[str], syntax: str) -> None:
    text = "\n".join(lines)
    physical = text.split("\n")
    for snippet in shell_snippets(text, syntax):
        for row, content in enumerate(snippet.script.split("\n")):
            if content:  # an empty row is output, or an unclosed fence's missing body
                # A row is its line, or the line with a prompt blanked.
                line = physical[snippet.first_line - 1 + row]
                assert content == line or line.endswith(content.lstrip()), (text, snippet)
