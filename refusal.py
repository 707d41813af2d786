"""Refusal: what a user asked for, refused by the rules, with a Chinese message saying what to
do instead. Domain code (models, an area's rules, printing, uploads) raises it; app.py answers
it as a message (responses.message_response, 422) after rolling the transaction back, so a view
parses, calls one action, commits and responds, and catches a Refusal only to show it beside a
form's field. (The operator's `flask restore` has its own, backups.RestoreRefused, in English.)
"""


class Refusal(Exception):
    """A request the rules refuse; str(refusal) is the Chinese message for the user."""
