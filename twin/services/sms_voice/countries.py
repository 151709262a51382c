"""Countries: the ISO codes a protect configuration rules on, and the country of an E.164 number."""

from __future__ import annotations

# ISO 3166-1 alpha-2: the keys of a protect configuration's country rule set.
_ISO_TEXT = """
AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV
BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES
ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE
IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY
MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU
NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM
SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE
VG VI VN VU WF WS YE YT ZA ZM ZW
"""
ISO_COUNTRIES: tuple[str, ...] = tuple(_ISO_TEXT.split())

# Country calling codes of the destinations the offline AWS recognises; the longest prefix wins.
CALLING_CODES: dict[str, str] = {
    "1": "US", "7": "RU", "20": "EG", "27": "ZA", "30": "GR", "31": "NL", "32": "BE", "33": "FR",
    "34": "ES", "36": "HU", "39": "IT", "40": "RO", "41": "CH", "43": "AT", "44": "GB", "45": "DK",
    "46": "SE", "47": "NO", "48": "PL", "49": "DE", "51": "PE", "52": "MX", "54": "AR", "55": "BR",
    "56": "CL", "57": "CO", "60": "MY", "61": "AU", "62": "ID", "63": "PH", "64": "NZ", "65": "SG",
    "66": "TH", "81": "JP", "82": "KR", "84": "VN", "86": "CN", "90": "TR", "91": "IN", "92": "PK",
    "234": "NG", "254": "KE", "351": "PT", "352": "LU", "353": "IE", "358": "FI", "372": "EE", "420": "CZ",
    "852": "HK", "880": "BD", "886": "TW", "966": "SA", "971": "AE", "972": "IL",
}  # fmt: skip

# +1 is shared by the North American Numbering Plan; Canada is told apart by its area codes.
_CANADIAN_TEXT = """
204 226 236 249 250 263 289 306 343 354 365 367 368 382 403 416 418 428 431 437 438 450 468 474 506 514
519 548 579 581 584 587 604 613 639 647 672 683 705 709 742 753 778 780 782 807 819 825 867 873 879 902
905
"""
_CANADIAN_AREA_CODES = frozenset(_CANADIAN_TEXT.split())

_CODE_OF = {country: code for code, country in CALLING_CODES.items()} | {"CA": "1"}


def country_of(number: str) -> str | None:
    """The ISO country of an E.164 number ("+447700900123" -> "GB"), or None when it is not recognised."""
    if not number.startswith("+"):
        return None
    digits = number[1:]
    for length in (3, 2, 1):
        country = CALLING_CODES.get(digits[:length])
        if country is not None:
            if country == "US" and digits[1:4] in _CANADIAN_AREA_CODES:
                return "CA"
            return country
    return None


def calling_code(country: str) -> str | None:
    return _CODE_OF.get(country)


# National digits that make a plausible number of each kind in the NANP; elsewhere a mobile-looking number.
_NANP_PREFIX = {"TOLL_FREE": "833", "LONG_CODE": "206", "TEN_DLC": "425", "SIMULATOR": "206"}


def sample_number(country: str, number_type: str, serial: int) -> str:
    """A deterministic E.164 number (or short code) of `country`, distinct for every `serial`."""
    if number_type == "SHORT_CODE":
        return f"{20000 + serial % 80000}"
    code = calling_code(country)
    if code is None:
        raise ValueError(f"no calling code known for {country}")
    if code == "1":
        area = "604" if country == "CA" else _NANP_PREFIX.get(number_type, "206")
        return f"+1{area}{2_000_000 + serial % 8_000_000:07d}"
    return f"+{code}7{serial % 100_000_000:08d}"
