"""The open-data catalogue as DCAT-AP in JSON-LD: what portals (data.gouv.fr, data.europa.eu)
harvest. A `dcat:Catalog` of the gateway, one `dcat:Dataset` per indicator of the catalogue.

An indicator of the socle commun is public: its distributions are the socle's API addresses,
one per format, and the whole socle of the current vintage in one file. Any other indicator
is delivered under a convention: its one distribution is the extracts API, its access rights
restricted. Properties and vocabularies are DCAT-AP 3's (EU "authority" tables for access
rights, themes, languages, file types and places).
"""

from __future__ import annotations

from typing import Any

from gateway.delivery import FORMATS
from gateway.links import api_url, socle_bulk_url, socle_url
from gateway.services.catalogue.coverage import Coverage, IndicatorCoverage
from gateway.web.labels import AXIS_LABELS, LEVEL_LABELS

CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
MEDIA_TYPE = "application/ld+json"
_EU = "http://publications.europa.eu/resource/authority/"
PUBLIC_ACCESS, RESTRICTED_ACCESS = _EU + "access-right/PUBLIC", _EU + "access-right/RESTRICTED"
FRANCE = _EU + "country/FRA"
FRENCH = _EU + "language/FRA"
THEME = _EU + "data-theme/SOCI"  # population and society
#: The public sector's licence for reuse (décret n° 2017-638): Licence Ouverte 2.0 (Etalab).
LICENCE = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"
PUBLISHER = {
    "@id": "https://www.caf.fr/",
    "@type": "foaf:Agent",
    "foaf:name": "Caisse nationale des allocations familiales (Cnaf) et les Caf",
}
#: EU file-type codes of the socle's formats (the same file types as their media types say).
FILE_TYPES = {
    "csv": "CSV",
    "csv-fr": "CSV",
    "json": "JSON",
    "jsonstat": "JSON",
    "sdmx-csv": "CSV",
    "xlsx": "XLSX",
    "pdf": "PDF",
}


def _text(value: str) -> dict[str, str]:
    return {"@value": value, "@language": "fr"}


def catalog(coverage: Coverage, base: str) -> dict[str, Any]:
    """Return the `dcat:Catalog` of the gateway, with a dataset per indicator."""
    return {
        "@context": CONTEXT,
        "@id": base + api_url("/catalogue.jsonld"),
        "@type": "dcat:Catalog",
        "dct:title": _text("Passerelle de diffusion des données des Caf"),
        "dct:description": _text(
            "Indicateurs agrégés des Caisses d'allocations familiales (allocataires, "
            "prestations, petite enfance), protégés par le secret statistique : le socle "
            "commun librement, les autres indicateurs sous convention."
        ),
        "dct:publisher": PUBLISHER,
        "dct:language": {"@id": FRENCH},
        "dct:license": {"@id": LICENCE},
        "foaf:homepage": {"@id": base + "/"},
        "dcat:themeTaxonomy": {"@id": _EU + "data-theme"},
        "dcat:dataset": [dataset(item, coverage, base) for item in coverage.indicators],
    }


def dataset(item: IndicatorCoverage, coverage: Coverage, base: str) -> dict[str, Any]:
    """Return the `dcat:Dataset` of one indicator."""
    indicator = item.indicator
    found: dict[str, Any] = {
        "@id": base + api_url(f"/indicators/{indicator.code}"),
        "@type": "dcat:Dataset",
        "dct:identifier": indicator.code,
        "dct:title": _text(indicator.label),
        "dct:description": _text(indicator.fiche.definition),
        "dcat:keyword": [
            _text(k) for k in dict.fromkeys((indicator.family, indicator.subfamily)) if k
        ]
        + [_text(AXIS_LABELS[indicator.axis])],
        "dcat:theme": {"@id": THEME},
        "dct:publisher": PUBLISHER,
        "dct:spatial": {"@id": FRANCE},
        "dct:accessRights": {"@id": PUBLIC_ACCESS if item.public else RESTRICTED_ACCESS},
        "dct:accrualPeriodicity": {"@id": _EU + "frequency/ANNUAL"},
        "dct:conformsTo": {"@id": base + api_url("/openapi.json")},
        "dcat:landingPage": {"@id": f"{base}/catalogue/{indicator.code}"},
        "dcat:distribution": (
            public_distributions(indicator.code, coverage, base)
            if item.public
            else [restricted_distribution(indicator.code, base)]
        ),
    }
    if item.periods:
        found["dct:temporal"] = {
            "@type": "dct:PeriodOfTime",
            "dcat:startDate": {"@value": f"{item.periods[0]}-01-01", "@type": "xsd:date"},
            "dcat:endDate": {"@value": f"{item.periods[-1]}-12-31", "@type": "xsd:date"},
        }
    return found


def public_distributions(code: str, coverage: Coverage, base: str) -> list[dict[str, Any]]:
    """Return the socle's addresses of an indicator, one per format, and the whole file."""
    levels = ", ".join(LEVEL_LABELS[level].lower() for level in coverage.public_levels)
    distributions = [
        {
            "@id": f"{base}{socle_url(code)}?format={name}&level=departement",
            "@type": "dcat:Distribution",
            "dct:title": _text(f"{code} au format {name}"),
            "dct:description": _text(
                f"Socle commun, niveau au choix ({levels}) : paramètre level de l'API."
            ),
            "dcat:accessURL": {"@id": f"{base}{socle_url(code)}?format={name}&level=departement"},
            "dcat:mediaType": {"@id": _iana(renderer.media_type)},
            "dct:format": {"@id": _EU + "file-type/" + FILE_TYPES.get(name, "BIN")},
            "dct:license": {"@id": LICENCE},
        }
        for name, renderer in FORMATS.items()
    ]
    whole = base + socle_bulk_url()
    distributions.append(
        {
            "@id": whole,
            "@type": "dcat:Distribution",
            "dct:title": _text("Tout le socle commun du millésime courant (CSV et note, zip)"),
            "dcat:accessURL": {"@id": whole},
            "dcat:downloadURL": {"@id": whole},
            "dcat:mediaType": {"@id": _iana("application/zip")},
            "dcat:packageFormat": {"@id": _iana("application/zip")},
            "dct:format": {"@id": _EU + "file-type/CSV"},
            "dct:license": {"@id": LICENCE},
        }
    )
    return distributions


def restricted_distribution(code: str, base: str) -> dict[str, Any]:
    """Return the extracts API, through which a requester under convention obtains it."""
    return {
        "@id": f"{base}{api_url('/extracts')}#{code}",
        "@type": "dcat:Distribution",
        "dct:title": _text(f"{code} sous convention (API des extraits)"),
        "dct:description": _text(
            "Diffusé aux demandeurs titulaires d'une clé d'API et d'une convention : "
            "POST /api/v1/extracts."
        ),
        "dcat:accessURL": {"@id": base + api_url("/docs")},
        "dcat:mediaType": {"@id": _iana("application/json")},
        "dct:rights": {
            "@type": "dct:RightsStatement",
            "rdfs:label": _text("Diffusion sous convention avec une Caf"),
        },
    }


def _iana(media_type: str) -> str:
    return "https://www.iana.org/assignments/media-types/" + media_type.split(";", maxsplit=1)[0]
