"""A base for every console form: Bootstrap classes and accessible error markup."""

from __future__ import annotations

from django import forms


class ConsoleForm(forms.Form):
    """Adds Bootstrap's classes and ``aria-invalid`` to widgets; rules stay in services."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                continue
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def add_error(self, field, error):
        super().add_error(field, error)
        for name in self.errors:
            widget = self.fields[name].widget if name in self.fields else None
            if widget is not None and "is-invalid" not in widget.attrs.get("class", ""):
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
                widget.attrs["aria-invalid"] = "true"


def parse_tags(text: str) -> dict[str, str]:
    """``key=value`` lines (value optional) as a dict; AWS's tag rules are checked by services."""
    tags: dict[str, str] = {}
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        key, _, value = line.partition("=")
        if not key.strip():
            raise ValueError(f"Line {number}: a tag needs a key (key=value).")
        if key.strip() in tags:
            raise ValueError(f"Line {number}: tag key {key.strip()!r} is given twice.")
        tags[key.strip()] = value.strip()
    return tags


def format_tags(tags: dict) -> str:
    return "\n".join(f"{k}={v}" for k, v in tags.items())
