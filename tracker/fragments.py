"""Parts of a page rendered once per process and distinct content, then reused as HTML.

`render_fragment("committee/_summary-recommendation.html", key, row=row)` renders the template
with exactly the variables given, and keeps the HTML per process keyed by the template and
`key` (tracker/lru.py, bounded). A change to anything the fragment shows gives a new key, so
the next request renders it afresh; nothing is ever invalidated, old entries age out.

The rule, for every fragment template and its caller:

- The template may use only the variables passed in and pure filters and globals (`rag_tag`,
  `embedding_tag`, `line_breaks`, `govuk_date`, `govuk_datetime`, `month_label`, `url_for` for
  a path). Never anything about the person or the request: no `current_user`, `csrf_token`,
  `csp_nonce`, `request`, `session`, `g`, flashed messages or `can(...)` permission checks
  (fragments are shared between people and requests; those are not passed in, and the
  context processors that provide them are not run).
- Everything the fragment shows must be in `key`: plain hashable values (tuples of the row
  values shown, frozen dataclasses, dates), including the day or "as at" date and any setting
  the output depends on. The template, the council's timezone (`govuk_datetime`) and the
  application's script root (`url_for`) are added here.
- Computing the key must cost much less than rendering, and must send no SQL statement: a page's
  statements never depend on whether a fragment is kept.

`key=None` renders every time (something shown cannot be a key).
"""

from collections.abc import Hashable

from flask import current_app, has_request_context, request
from jinja2 import Template
from markupsafe import Markup

from tracker.lru import LRU, HashedKey

# A recommendation's section of the plan summary is ~4 KB: 2000 entries ~10 MB per worker.
_fragments = LRU(maxsize=2000)


def render_fragment(template_name: str, key: Hashable | None, **context) -> Markup:
    """The template rendered with `context`, kept per process by `key` (see the module's rule)."""
    # The template itself is part of the key: edited while the server runs (templates reloaded
    # in development), it is a new template and its fragments are rendered afresh (a template
    # it includes is not checked: restart the server after editing one).
    template = current_app.jinja_env.get_template(template_name)
    if key is None:
        return _render(template, context)
    script_root = request.script_root if has_request_context() else ""
    full_key = HashedKey((template, current_app.config["TIMEZONE"], script_root, key))
    html = _fragments.get(full_key)
    if html is None:
        html = _fragments.put(full_key, _render(template, context))
    return html


def _render(template: Template, context: dict) -> Markup:
    return Markup(template.render(context))  # noqa: S704 (the template escapes what it shows)


def clear() -> None:
    """Forget every kept fragment (tests start as a new process would)."""
    _fragments.clear()
