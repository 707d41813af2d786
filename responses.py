"""htmx-aware responses: page or fragment, redirect after a write, messages for errors."""
from __future__ import annotations

from flask import Response, redirect, render_template, request


def is_htmx() -> bool:
    return request.headers.get("HX-Request") == "true"


def targets(element_id: str) -> bool:
    """True when htmx asked for one element (not a boosted navigation or history restore)."""
    return is_htmx() and request.headers.get("HX-Target") == element_id


def page_or_fragment(page_template: str, fragment_template: str, target: str, **context) -> str:
    """The full page, or only the fragment when the request targets that fragment's element."""
    return render_template(fragment_template if targets(target) else page_template, **context)


def after_write(url: str, event: str | None = None) -> Response:
    """After a successful write: htmx follows HX-Location, a plain form post gets a 303."""
    if is_htmx():
        response = Response(status=204)
        response.headers["HX-Location"] = url
    else:
        response = redirect(url, 303)
    if event:
        response.headers["HX-Trigger"] = event
    return response


def invalid(page_template: str, **context) -> tuple[str, int]:
    """An invalid form re-rendered with its errors and what the user typed (422)."""
    return render_template(page_template, **context), 422


def form_page(page_template: str, form, **context):
    """A form page: as it is on GET, with its errors and the user's input (422) after a post."""
    if form.is_submitted():
        return invalid(page_template, form=form, **context)
    return render_template(page_template, form=form, **context)


def message_response(text: str, code: int):
    """An error the user can read: plain text for htmx (app.js shows it), a page otherwise."""
    if is_htmx():
        return Response(text, status=code, mimetype="text/plain")
    return render_template("error.html", code=code, message=text), code
