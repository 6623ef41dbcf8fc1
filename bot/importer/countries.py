"""Country names as case sheets print them (English and Spanish) -> the ISO
3166 alpha-2 code and Amnesty International's region. A name not listed here
is reported as not recognised and left for the organizer: the importer never
guesses a country."""

from __future__ import annotations

import unicodedata

AF, AM, AP, ECA, MENA = (
    "africa",
    "americas",
    "asia-pacific",
    "europe-central-asia",
    "middle-east-north-africa",
)

# code: (region, English name, Spanish name, other spellings...)
_COUNTRIES: dict[str, tuple[str, ...]] = {
    "AR": (AM, "Argentina", "Argentina"),
    "BO": (AM, "Bolivia", "Bolivia"),
    "BR": (AM, "Brazil", "Brasil"),
    "CA": (AM, "Canada", "Canadá"),
    "CL": (AM, "Chile", "Chile"),
    "CO": (AM, "Colombia", "Colombia"),
    "CU": (AM, "Cuba", "Cuba"),
    "DO": (AM, "Dominican Republic", "República Dominicana"),
    "EC": (AM, "Ecuador", "Ecuador"),
    "SV": (AM, "El Salvador", "El Salvador"),
    "GT": (AM, "Guatemala", "Guatemala"),
    "HN": (AM, "Honduras", "Honduras"),
    "MX": (AM, "Mexico", "México", "Méjico"),
    "NI": (AM, "Nicaragua", "Nicaragua"),
    "PA": (AM, "Panama", "Panamá"),
    "PY": (AM, "Paraguay", "Paraguay"),
    "PE": (AM, "Peru", "Perú"),
    "US": (AM, "USA", "Estados Unidos", "United States", "United States of America", "EE. UU.", "EEUU"),
    "UY": (AM, "Uruguay", "Uruguay"),
    "VE": (AM, "Venezuela", "Venezuela"),
    "CM": (AF, "Cameroon", "Camerún"),
    "CD": (AF, "Democratic Republic of the Congo", "República Democrática del Congo", "DRC"),
    "ET": (AF, "Ethiopia", "Etiopía"),
    "KE": (AF, "Kenya", "Kenia"),
    "NG": (AF, "Nigeria", "Nigeria"),
    "ZA": (AF, "South Africa", "Sudáfrica"),
    "SD": (AF, "Sudan", "Sudán"),
    "UG": (AF, "Uganda", "Uganda"),
    "ZW": (AF, "Zimbabwe", "Zimbabue"),
    "AU": (AP, "Australia", "Australia"),
    "BD": (AP, "Bangladesh", "Bangladesh"),
    "CN": (AP, "China", "China"),
    "IN": (AP, "India", "India"),
    "ID": (AP, "Indonesia", "Indonesia"),
    "JP": (AP, "Japan", "Japón"),
    "MM": (AP, "Myanmar", "Myanmar"),
    "PK": (AP, "Pakistan", "Pakistán"),
    "PH": (AP, "Philippines", "Filipinas"),
    "LK": (AP, "Sri Lanka", "Sri Lanka"),
    "TH": (AP, "Thailand", "Tailandia"),
    "VN": (AP, "Viet Nam", "Vietnam", "Vietnam"),
    "AZ": (ECA, "Azerbaijan", "Azerbaiyán"),
    "BY": (ECA, "Belarus", "Bielorrusia"),
    "FR": (ECA, "France", "Francia"),
    "GR": (ECA, "Greece", "Grecia"),
    "HU": (ECA, "Hungary", "Hungría"),
    "KZ": (ECA, "Kazakhstan", "Kazajistán"),
    "PL": (ECA, "Poland", "Polonia"),
    "RU": (ECA, "Russian Federation", "Federación Rusa", "Russia", "Rusia"),
    "ES": (ECA, "Spain", "España"),
    "TR": (ECA, "Turkey", "Turquía"),
    "UA": (ECA, "Ukraine", "Ucrania"),
    "GB": (ECA, "United Kingdom", "Reino Unido", "UK"),
    "UZ": (ECA, "Uzbekistan", "Uzbekistán"),
    "DZ": (MENA, "Algeria", "Argelia"),
    "BH": (MENA, "Bahrain", "Bahréin"),
    "EG": (MENA, "Egypt", "Egipto"),
    "IR": (MENA, "Iran", "Irán"),
    "IQ": (MENA, "Iraq", "Irak"),
    "IL": (MENA, "Israel", "Israel"),
    "JO": (MENA, "Jordan", "Jordania"),
    "LB": (MENA, "Lebanon", "Líbano"),
    "LY": (MENA, "Libya", "Libia"),
    "MA": (MENA, "Morocco", "Marruecos"),
    "SA": (MENA, "Saudi Arabia", "Arabia Saudí", "Arabia Saudita"),
    "SY": (MENA, "Syria", "Siria"),
    "TN": (MENA, "Tunisia", "Túnez"),
    "AE": (MENA, "United Arab Emirates", "Emiratos Árabes Unidos", "UAE"),
    "YE": (MENA, "Yemen", "Yemen"),
}


def fold(text: str) -> str:
    """Lowercase, accents and punctuation dropped: "MÉXICO" and "Mexico" are one name."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join("".join(c if c.isalnum() else " " for c in plain.lower()).split())


_BY_NAME = {fold(name): (code, spec[0]) for code, spec in _COUNTRIES.items() for name in spec[1:]}


def country_of(name: str) -> tuple[str, str] | None:
    """(ISO code, region) for a country name as printed, or None."""
    return _BY_NAME.get(fold(name))


def find_country(text: str) -> tuple[str, str, str] | None:
    """The longest country name that is all of `text` or starts it: (name as printed, code, region)."""
    words = text.split()
    for size in range(min(len(words), 6), 0, -1):
        printed = " ".join(words[:size]).rstrip(",.:;")
        if (found := country_of(printed)) is not None:
            return printed, *found
    return None
