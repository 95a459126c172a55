"""MyST markdown as blocks, and MyST turned into the plain Markdown that any Jupyter renders.

:func:`split_blocks` cuts a markdown cell into plain text and top-level fenced blocks
(directives such as ``{exercise}``, and ordinary code fences). :func:`to_plain` rewrites what
plain Jupyter cannot render: admonitions become headed blockquotes, ``{exercise}`` becomes
"**Exercise 11.3** …", citations become "Author (year)", glossary terms the word, ``{doc}`` a
relative link to the notebook, and the ``{bibliography}`` the chapter's reference list.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,}|:{3,})\s*(?P<info>.*?)\s*$")
DIRECTIVE_INFO = re.compile(r"^\{(?P<name>[\w:.-]+)\}\s*(?P<argument>.*)$")
OPTION = re.compile(r"^:(?P<key>[\w-]+):\s*(?P<value>.*)$")
ROLE = re.compile(r"\{(?P<name>[\w:.-]+)\}`(?P<content>[^`]*)`")
TARGET = re.compile(r"^\((?P<label>[\w.:-]+)\)=\s*$", re.M)
EQUATION_LABEL = re.compile(r"(\$\$)\s*\([\w.:-]+\)\s*$", re.M)
EXPLICIT = re.compile(r"^(?P<text>.*?)\s*<(?P<target>[^<>]+)>$", re.S)

ADMONITION_TITLES = {
    "note": "Note", "tip": "Tip", "hint": "Hint", "important": "Important", "warning": "Warning",
    "caution": "Caution", "attention": "Attention", "danger": "Danger", "error": "Error",
    "seealso": "See also", "admonition": "",
}
BOXES = {"dropdown", "card", "margin", "sidebar", "topic", "epigraph", "pull-quote", "tab-item",
         "prf:definition", "prf:theorem", "prf:example", "prf:remark", "div", "container"}
DROPPED = {"glossary", "nb-exec-table", "tableofcontents", "toctree", "bibliography-placeholder"}
CODE = {"code", "code-block", "code-cell", "sourcecode"}


@dataclass
class Block:
    """A piece of a markdown cell: plain ``text``, or a fenced block (``fence`` set).

    A directive has its ``name`` (``exercise``, ``admonition``, …), ``argument``, ``options`` and
    ``body``; an ordinary code fence has ``name`` empty and its language in ``argument``."""

    text: str
    fence: str = ""
    name: str = ""
    argument: str = ""
    options: dict[str, str] = field(default_factory=dict)
    body: str = ""

    @property
    def is_directive(self) -> bool:
        return bool(self.fence) and bool(self.name)


def _closes(line: str, fence: str) -> bool:
    match = FENCE.match(line)
    return bool(match) and match.group("fence")[0] == fence[0] \
        and len(match.group("fence")) >= len(fence) and not match.group("info")


def _directive(lines: list[str], fence: str, info: str) -> Block:
    """A fenced block from its opening info string and the lines between its fences."""
    match = DIRECTIVE_INFO.match(info)
    text = "\n".join([fence + info, *lines, fence])
    if not match:
        return Block(text=text, fence=fence, argument=info, body="\n".join(lines))
    options: dict[str, str] = {}
    body_start = 0
    if lines and lines[0].strip() == "---":  # YAML options block
        end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
        if end is not None:
            for line in lines[1:end]:
                key, _, value = line.partition(":")
                options[key.strip()] = value.strip()
            body_start = end + 1
    else:
        while body_start < len(lines) and (option := OPTION.match(lines[body_start].strip())):
            options[option.group("key")] = option.group("value")
            body_start += 1
    body = "\n".join(lines[body_start:]).strip("\n")
    return Block(text=text, fence=fence, name=match.group("name"), argument=match.group("argument").strip(),
                 options=options, body=body)


def split_blocks(text: str) -> list[Block]:
    """The top-level blocks of a markdown text, in order; joining their ``text`` with newlines
    gives the text back (up to blank lines at block edges)."""
    blocks: list[Block] = []
    plain: list[str] = []
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        match = FENCE.match(lines[i])
        if not match:
            plain.append(lines[i])
            i += 1
            continue
        fence, info = match.group("fence"), match.group("info")
        end = next((j for j in range(i + 1, len(lines)) if _closes(lines[j], fence)), len(lines))
        if plain:
            blocks.append(Block(text="\n".join(plain)))
            plain = []
        blocks.append(_directive(lines[i + 1:end], fence, info))
        i = end + 1
    if plain:
        blocks.append(Block(text="\n".join(plain)))
    return [b for b in blocks if b.fence or b.text.strip()]


# --------------------------------------------------------------------------- plain Markdown


@dataclass
class Context:
    """What turning one notebook's MyST into plain Markdown needs to know about the book.

    ``numbers`` maps exercise labels (of every chapter) to ``(stem, "11.3")``; ``titles`` maps a
    document name as ``{doc}`` writes it, relative to the chapter (``11_tallies_audit``,
    ``../pages/glossary``), to its title; ``cite`` formats citation keys (textual or in
    parentheses); ``references`` gives the reference list of the notebook's citations."""

    stem: str
    numbers: dict[str, tuple[str, str]] = field(default_factory=dict)
    titles: dict[str, str] = field(default_factory=dict)
    cite: Callable[[list[str], str], str] = lambda keys, mode: ", ".join(keys)
    references: Callable[[], str] = lambda: ""
    notebook_suffix: str = ".ipynb"


def _explicit(content: str) -> tuple[str, str]:
    """``text <target>`` → (text, target); ``target`` alone → ("", target)."""
    match = EXPLICIT.match(content.strip())
    if match:
        return match.group("text").strip(), match.group("target").strip()
    return "", content.strip()


def _doc_link(content: str, context: Context) -> str:
    text, target = _explicit(content)
    target = target.removesuffix(".ipynb").removesuffix(".md")
    title = text or context.titles.get(target) or target.split("/")[-1].replace("_", " ")
    if "/" not in target and target in context.titles:  # a sibling chapter: its notebook
        return f"[{title}]({target}{context.notebook_suffix})"
    return title


def _ref(content: str, context: Context) -> str:
    text, target = _explicit(content)
    if target in context.numbers:
        stem, number = context.numbers[target]
        shown = text or f"Exercise {number}"
        where = "" if stem == context.stem else f"{stem}{context.notebook_suffix}"
        return f"[{shown}]({where}#{target})"
    return text or target.replace("-", " ").replace("_", " ")


def _role(match: re.Match, context: Context) -> str:
    name, content = match.group("name"), match.group("content")
    if name.startswith("cite"):
        mode = name.partition(":")[2] or "p"
        keys = [k.strip() for k in content.split(",") if k.strip()]
        return context.cite(keys, mode)
    if name == "doc":
        return _doc_link(content, context)
    if name in {"ref", "numref", "prf:ref"}:
        return _ref(content, context)
    if name == "math":
        return f"${content}$"
    if name == "eq":
        return f"({_explicit(content)[1]})"
    if name in {"sub", "sup", "kbd"}:
        return f"<{name}>{content}</{name}>"
    if name in {"code", "literal"}:
        return f"`{content}`"
    text, target = _explicit(content)
    return text or target


def plain_inline(text: str, context: Context) -> str:
    """Roles, targets, comments and equation labels of a plain-text block made plain."""
    text = TARGET.sub(lambda m: f'<a id="{m.group("label")}"></a>', text)
    text = EQUATION_LABEL.sub(r"\1", text)
    lines = [line for line in text.split("\n") if not line.startswith("%") and line.strip() != "+++"]
    return ROLE.sub(lambda m: _role(m, context), "\n".join(lines))


def blockquote(title: str, body: str) -> str:
    """``> **title**`` and the body, every line quoted."""
    lines = [f"> **{title}**"] if title else []
    if body.strip():
        if lines:
            lines.append(">")
        lines += [f"> {line}".rstrip() for line in body.split("\n")]
    return "\n".join(lines)


def exercise_heading(number: str, title: str, label: str) -> str:
    """The plain-Markdown head of an exercise: an anchor and "**Exercise 11.3** Title"."""
    head = f"**Exercise {number}**" + (f" {title}" if title else "")
    return f'<a id="{label}"></a>\n\n{head}'


def plain_directive(block: Block, context: Context) -> str:
    """One fenced block as plain Markdown (exercises and solutions are handled by the caller,
    which knows their numbers; here they are rendered generically)."""
    name = block.name
    if not name:  # an ordinary code fence: untouched
        return block.text
    body = to_plain(block.body, context)
    argument = plain_inline(block.argument, context)
    if name in ADMONITION_TITLES:
        return blockquote(argument or ADMONITION_TITLES[name] or "Note", body)
    if name == "exercise":
        label = block.options.get("label", "")
        number = context.numbers.get(label, ("", "?"))[1]
        return exercise_heading(number, argument, label) + "\n\n" + body
    if name in {"solution", "solution-start"}:
        label = block.argument
        number = context.numbers.get(label, ("", "?"))[1]
        head = f"**Solution to Exercise {number}**"
        return head + ("\n\n" + body if body else "")
    if name == "solution-end":
        return ""
    if name == "bibliography":
        return context.references()
    if name in {"math"}:
        return f"$$\n{block.body}\n$$"
    if name in CODE:
        return f"```{block.argument}\n{block.body}\n```"
    if name in {"figure", "image"}:
        alt = block.options.get("alt", "")
        caption = f"\n\n*{body}*" if body else ""
        return f"![{alt}]({block.argument}){caption}"
    if name == "raw":
        return block.body if block.argument.lower() == "html" else ""
    if name in DROPPED:
        return ""
    title = argument or (name.split(":")[-1].replace("-", " ").capitalize() if name not in BOXES else "")
    return blockquote(title, body)


def to_plain(text: str, context: Context) -> str:
    """A MyST markdown text as plain Markdown (see the module docstring)."""
    parts = []
    for block in split_blocks(text):
        converted = plain_directive(block, context) if block.fence else plain_inline(block.text, context)
        if converted.strip():
            parts.append(converted.strip("\n"))
    return "\n\n".join(parts)
