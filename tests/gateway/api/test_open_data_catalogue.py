"""The open-data catalogue: DCAT-AP in JSON-LD, a dataset per indicator, the socle downloadable."""

from __future__ import annotations

import json
import warnings
from typing import Any

import pytest
from flask.testing import FlaskClient
from rdflib import RDF, XSD, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS

from gateway.api.dcat.document import CONTEXT, LICENCE, PUBLIC_ACCESS, RESTRICTED_ACCESS
from gateway.catalogue import load_catalogue

PATH = "/api/v1/catalogue.jsonld"
#: DCAT-AP 3's mandatory properties, and the recommended ones this catalogue always fills.
CATALOG_PROPERTIES = ("dct:title", "dct:description", "dct:publisher", "dcat:dataset")
DATASET_PROPERTIES = (
    "dct:title",
    "dct:description",
    "dcat:distribution",
    "dcat:keyword",
    "dcat:theme",
    "dct:publisher",
    "dct:spatial",
    "dct:accessRights",
)


@pytest.fixture
def document(sqlite_client: FlaskClient) -> dict[str, Any]:
    response = sqlite_client.get(PATH)
    assert response.status_code == 200
    assert response.mimetype == "application/ld+json"
    found: dict[str, Any] = json.loads(response.data)
    return found


def by_code(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {dataset["dct:identifier"]: dataset for dataset in document["dcat:dataset"]}


def test_a_catalog_with_its_context_and_mandatory_properties(document: dict[str, Any]) -> None:
    assert document["@context"] == CONTEXT
    assert document["@type"] == "dcat:Catalog"
    assert document["@id"].endswith(PATH) and document["@id"].startswith("http")
    for name in CATALOG_PROPERTIES:
        assert document[name], name
    assert document["dct:title"]["@language"] == "fr"
    assert "Cnaf" in document["dct:publisher"]["foaf:name"]


def test_one_dataset_per_indicator_with_dcat_ap_properties(document: dict[str, Any]) -> None:
    datasets = by_code(document)
    assert set(datasets) == set(load_catalogue().indicators)
    for code, dataset in datasets.items():
        assert dataset["@type"] == "dcat:Dataset"
        for name in DATASET_PROPERTIES:
            assert dataset.get(name), (code, name)
        for distribution in dataset["dcat:distribution"]:
            assert distribution["@type"] == "dcat:Distribution"
            assert distribution["dcat:accessURL"]["@id"].startswith("http")
            assert distribution["dcat:mediaType"]["@id"].startswith(
                "https://www.iana.org/assignments/media-types/"
            )
        prefixes = {name.split(":")[0] for name in dataset if ":" in name}
        assert prefixes <= set(CONTEXT), (code, prefixes)


def test_temporal_coverage_is_what_the_store_holds(document: dict[str, Any]) -> None:
    temporal = by_code(document)["ALLOC"]["dct:temporal"]
    assert temporal["@type"] == "dct:PeriodOfTime"
    assert temporal["dcat:startDate"] == {"@value": "2019-01-01", "@type": "xsd:date"}
    assert temporal["dcat:endDate"] == {"@value": "2024-12-31", "@type": "xsd:date"}


def test_the_socle_is_public_with_every_format_and_the_whole_file(
    document: dict[str, Any], sqlite_client: FlaskClient
) -> None:
    alloc = by_code(document)["ALLOC"]
    assert alloc["dct:accessRights"]["@id"] == PUBLIC_ACCESS
    urls = [d["dcat:accessURL"]["@id"] for d in alloc["dcat:distribution"]]
    assert any("format=sdmx-csv" in url for url in urls)
    assert any(url.endswith("/api/v1/socle/bulk") for url in urls)
    assert all(d["dct:license"]["@id"] == LICENCE for d in alloc["dcat:distribution"])
    for url in urls:  # every address the catalogue gives answers
        response = sqlite_client.get(url.removeprefix("http://localhost"))
        response.close()
        assert response.status_code == 200, url


def test_indicators_under_convention_are_restricted(document: dict[str, Any]) -> None:
    restricted = [
        d for d in document["dcat:dataset"] if d["dct:accessRights"]["@id"] != PUBLIC_ACCESS
    ]
    assert restricted, "the catalogue has indicators under convention"
    for dataset in restricted:
        assert dataset["dct:accessRights"]["@id"] == RESTRICTED_ACCESS
        (distribution,) = dataset["dcat:distribution"]
        assert "/api/v1/socle/" not in distribution["dcat:accessURL"]["@id"]


def test_the_catalogue_is_revalidated_by_etag(sqlite_client: FlaskClient) -> None:
    first = sqlite_client.get(PATH)
    again = sqlite_client.get(PATH, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert first.headers["Cache-Control"] == "public, max-age=60, must-revalidate"


def test_it_is_json_ld_a_processor_expands(document: dict[str, Any]) -> None:
    """Every prefixed name expands to a full IRI through the context (no unknown prefix)."""

    def names(node: Any) -> set[str]:
        if isinstance(node, dict):
            return {k for k in node if not k.startswith("@")} | {
                n for v in node.values() for n in names(v)
            }
        if isinstance(node, list):
            return {n for v in node for n in names(v)}
        return set()

    assert {name.split(":")[0] for name in names(document)} <= set(CONTEXT)
    assert all(CONTEXT[prefix].startswith("http") for prefix in CONTEXT)


def test_read_as_rdf_every_dataset_has_its_dcat_ap_properties(sqlite_client: FlaskClient) -> None:
    """An RDF processor (rdflib) reads the JSON-LD: the graph, not the JSON, is checked."""
    with warnings.catch_warnings():
        # rdflib's own JSON-LD parser still builds a ConjunctiveGraph internally.
        warnings.filterwarnings("ignore", "ConjunctiveGraph is deprecated", DeprecationWarning)
        graph = Graph().parse(data=sqlite_client.get(PATH).data, format="json-ld")
    (catalog,) = graph.subjects(RDF.type, DCAT.Catalog)
    datasets = set(graph.objects(catalog, DCAT.dataset))
    assert len(datasets) == len(load_catalogue().indicators)
    for dataset in datasets:
        assert (dataset, RDF.type, DCAT.Dataset) in graph
        for predicate in (DCTERMS.title, DCTERMS.description, DCTERMS.publisher, DCAT.theme):
            assert graph.value(dataset, predicate) is not None, (dataset, predicate)
        title = graph.value(dataset, DCTERMS.title)
        assert isinstance(title, Literal) and title.language == "fr"
        distributions = list(graph.objects(dataset, DCAT.distribution))
        assert distributions
        for distribution in distributions:
            assert (distribution, RDF.type, DCAT.Distribution) in graph
            assert isinstance(graph.value(distribution, DCAT.accessURL), URIRef)
    starts = list(graph.objects(None, DCAT.startDate))
    assert starts and all(isinstance(s, Literal) and s.datatype == XSD.date for s in starts)
