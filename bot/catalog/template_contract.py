"""What the letter renderer gives every template, and nothing more.

`advocacy-bot check` holds templates to this contract (a name or attribute
not listed here is reported with its line), and the renderer builds exactly
these variables, so the two cannot drift apart.
"""

TEMPLATE_VARIABLES: dict[str, frozenset[str] | None] = {
    "official": frozenset(
        {"name", "title", "organisation", "salutation", "address", "email", "phone", "twitter"}
    ),
    "campaign": frozenset({"reference", "title", "summary", "asks", "issued", "deadline"}),
    "asks": None,  # what the case asks of this official, in the second person
    "supporter": frozenset({"name", "city", "sentence"}),
    "today": None,
    "lang": None,
}

# Names Jinja2 itself provides inside templates.
JINJA_BUILTINS = frozenset({"loop", "range", "lipsum", "dict", "cycler", "joiner", "namespace"})

# Blocks a channel's template must define (email has a subject and a body).
REQUIRED_BLOCKS: dict[str, tuple[str, ...]] = {"email": ("subject", "body")}

# Variables the content holds in the interface languages only (`Text` fields):
# an appeal in another language (pt, fr) has no text for them, so the renderer
# leaves them out and `check` refuses a template of that language using them.
INTERFACE_ONLY = frozenset({("official", "title"), ("official", "organisation"),
                            ("campaign", "title"), ("campaign", "summary"), ("campaign", "asks")})
