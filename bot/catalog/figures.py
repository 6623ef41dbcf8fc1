"""The figures in a text, normalised so that the two languages of one entry
can be compared ("14,596" in English must be 14,596 in Spanish too).

Normalisation, so that the same figure written two ways compares equal:
- a comma, a dot, a space or a no-break space followed by exactly three
  digits groups thousands: 14,596 = 14.596 = 14 596;
- a comma or a dot followed by one, two or more than three digits is a
  decimal mark: 2.5 = 2,5;
- a scale word after the number multiplies it: million / millones / millón
  (10^6), billion / mil millones / millardo (10^9), thousand / mil (10^3),
  so "$20 million" = "20 millones de dólares" and "2.5 billion" =
  "2.5 mil millones" = "2,500 millones";
- signs and units around the number are ignored: 75% = 75 % = 75 percent =
  75 por ciento, $20 = 20 dólares;
- a range or a pair is its numbers: 17-18 May = 17 y 18 de mayo.
Numbers written as words ("four offices", "cuatro oficinas", "one third")
are not compared.
"""

from __future__ import annotations

import re
from decimal import Decimal

_NUMBER = re.compile(
    r"(?<!\w)"
    r"(?P<whole>\d{1,3}(?P<group>[,. \u00a0\u202f])\d{3}(?:(?P=group)\d{3})*(?!\d)|\d+)"
    r"(?:[.,](?P<fraction>\d+))?"
    r"(?!\d)"
    r"(?:\s*(?P<scale>mil\s+millones|millones|millón|million|billion|millardos?|thousand|mil)(?!\w))?"
)
_SCALES = {
    "million": 10**6, "millones": 10**6, "millón": 10**6,
    "billion": 10**9, "mil millones": 10**9, "millardo": 10**9, "millardos": 10**9,
    "thousand": 10**3, "mil": 10**3,
}


def figures(text: str) -> dict[Decimal, str]:
    """Each distinct value in `text`, with the first spelling of it found."""
    found: dict[Decimal, str] = {}
    for match in _NUMBER.finditer(text):
        whole = re.sub(r"\D", "", match["whole"])
        value = Decimal(f"{whole}.{match['fraction']}" if match["fraction"] else whole)
        if match["scale"]:
            value *= _SCALES[" ".join(match["scale"].split())]
        found.setdefault(value.normalize(), " ".join(match.group(0).split()))
    return found
