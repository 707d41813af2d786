"""htmx-aware responses, one contract for every view (docs/design.md, "Responses"):

- a write that succeeded: after_write(url) → htmx follows HX-Location; a plain post gets a 303;
- a form with errors: invalid() / form_page() → 422 and the form re-rendered (its fragment for
  htmx, the page otherwise) with the errors beside what the user typed;
- a message (a refusal, a conflict, not found, not allowed, too many, a server error):
  message_response(text, code) → for htmx a text/plain answer that static/js/app.js shows in the
  message area and never swaps, so the page and everything typed stay as they were; for a plain
  request (no JavaScript, a download link, a form that uploads) the message is flashed and the
  browser sent back (303) to the page of ours it came from, which shows it; with no such page
  (an address typed in), the error page, with the menu.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Response, flash, redirect, render_template, request

from extensions import htmx


def is_htmx() -> bool:
    return bool(htmx)


def targets(element_id: str) -> bool:
    """True when htmx asked for one element (not a boosted navigation or history restore)."""
    return bool(htmx) and htmx.target == element_id


def page_or_fragment(page_template: str, fragment_template: str, target: str, **context) -> str:
    """The full page, or only the fragment when the request targets that fragment's element."""
    return render_template(fragment_template if targets(target) else page_template, **context)


def after_write(url: str) -> Response:
    """After a successful write: htmx follows HX-Location, a plain form post gets a 303."""
    if is_htmx():
        response = Response(status=204)
        response.headers["HX-Location"] = url
        return response
    return redirect(url, 303)


def invalid(page_template: str, **context) -> tuple[str, int]:
    """An invalid form re-rendered with its errors and what the user typed (422)."""
    return render_template(page_template, **context), 422


def form_page(page_template: str, form, **context):
    """A form page: as it is on GET, with its errors and the user's input (422) after a post."""
    if form.is_submitted():
        return invalid(page_template, form=form, **context)
    return render_template(page_template, form=form, **context)


def refused_list(error: str | None, entries: list, what: str, back: str):
    """A list from another office (户籍名单, 残联's list) refused whole, 422, its file's error or
    each bad row with what to fix (_list_errors.html); None when it may be previewed."""
    bad = [e for e in entries if e.errors]
    if error or bad:
        return render_template("_list_errors.html", error=error, bad=bad, total=len(entries),
                               what=what, back=back), 422
    return None


def message_response(text: str, code: int):
    """A message the user reads where they are (see the module's contract)."""
    if is_htmx():
        return Response(text, status=code, mimetype="text/plain")
    back = _page_it_came_from()
    if back:
        flash(text, "error")
        return redirect(back, 303)
    return render_template("error.html", code=code, message=text), code


def _page_it_came_from() -> str | None:
    """The page of ours a plain form or link came from (never the failing URL itself)."""
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc != request.host or referrer.scheme not in ("http", "https"):
        return None
    back = referrer.path + (f"?{referrer.query}" if referrer.query else "")
    return None if back == request.full_path.rstrip("?") else back
