"""The note explicative: one structured text, printed by every format that carries it."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from gateway.delivery.cells import NOT_APPLICABLE, SYMBOL_MEANINGS, TOTAL
from gateway.delivery.model import Delivery
from policies.catalogue import FICHE_FIELDS, FICHE_HEADINGS, Indicator
from policies.domain import ContributingUnit, RequesterType, Source, Use
from policies.secrecy.rules import Rule
from tariffs.money import format_eur, format_number
from tariffs.schedule import USE_LABELS

SYNTHETIC_BANNER = "Données de démonstration synthétiques : ne pas utiliser pour l'analyse"
GATEWAY_SOURCE = "Source : Cnaf, passerelle de diffusion, extrait {extract_id}"

_CONTRIBUTORS = {
    ContributingUnit.FOYER: "foyers contributeurs",
    ContributingUnit.ENFANT: "enfants contributeurs",
    ContributingUnit.ASSISTANTE_MATERNELLE: "assistantes maternelles contributrices",
    ContributingUnit.EQUIPEMENT: "équipements contributeurs",
}
_SOURCE_LABELS = {
    Source.CNAF: "Cnaf",
    Source.MSA: "MSA (CCMSA)",
    Source.ACOSS: "Acoss (CNT-Paje)",
    Source.BCAS: "BCAS (base communale d’action sociale)",
    Source.INSEE: "Insee",
}
_REQUESTER_LABELS = {
    RequesterType.GRAND_PUBLIC: "grand public",
    RequesterType.CONSEIL_DEPARTEMENTAL: "conseil départemental",
    RequesterType.COMMUNE: "commune",
    RequesterType.EPCI: "intercommunalité (EPCI)",
    RequesterType.SERVICE_ETAT: "service de l’État",
    RequesterType.ORGANISME_MISSION_PUBLIQUE: "organisme à mission de service public",
    RequesterType.CABINET_PRIVE: "cabinet privé",
    RequesterType.ADMIN_CAF: "administrateur Caf",
    RequesterType.ADMIN_NATIONAL: "administrateur national",
}


@dataclass(frozen=True)
class Section:
    heading: str
    paragraphs: tuple[str, ...] = ()
    subsections: tuple[Section, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "titre": self.heading,
            "paragraphes": list(self.paragraphs),
            "sous_sections": [sub.to_dict() for sub in self.subsections],
        }


@dataclass(frozen=True)
class Note:
    """The note explicative: a title, the synthetic-data banner if any, and sections."""

    title: str
    banner: str | None
    sections: tuple[Section, ...]

    def outline(self) -> Iterator[tuple[int, str]]:
        """Yield (level, text): 1 the title, 2.. headings by depth, 0 a paragraph."""
        yield 1, self.title
        if self.banner:
            yield 0, self.banner
        for section in self.sections:
            yield from _outline(section, 2)

    def to_dict(self) -> dict[str, Any]:
        return {
            "titre": self.title,
            "avertissement": self.banner,
            "sections": [section.to_dict() for section in self.sections],
        }


def _outline(section: Section, level: int) -> Iterator[tuple[int, str]]:
    yield level, section.heading
    for paragraph in section.paragraphs:
        yield 0, paragraph
    for sub in section.subsections:
        yield from _outline(sub, level + 1)


def build_note(delivery: Delivery) -> Note:
    """Build the note explicative of a delivery."""
    return Note(
        title=f"Note explicative de l’extrait {delivery.header.extract_id}",
        banner=SYNTHETIC_BANNER if delivery.header.synthetic else None,
        sections=(
            _presentation(delivery),
            _framework(delivery),
            Section(
                "Indicateurs",
                subsections=tuple(_indicator(delivery, i) for i in delivery.indicators),
            ),
            _reading(delivery),
            *_territories(delivery),
            _secrecy(delivery),
            _reliability(delivery),
            _citation(delivery),
        ),
    )


def source_lines(delivery: Delivery) -> tuple[str, ...]:
    """Return how to cite the extract: each indicator's citation, then the gateway's line."""
    lines = [ind.citation for ind in delivery.indicators] + list(delivery.source_citations)
    lines.append(GATEWAY_SOURCE.format(extract_id=delivery.header.extract_id))
    return tuple(dict.fromkeys(lines))


def format_datetime(moment: datetime) -> str:
    text = moment.strftime("%d/%m/%Y à %H:%M")
    return f"{text} ({moment.tzname()})" if moment.tzinfo else text


def format_price(price: Decimal | None) -> str:
    if price is None:
        return "sans facturation"
    return "gratuit (0,00 €)" if price == 0 else format_eur(price)


def _label(
    enum_type: type[RequesterType] | type[Use], value: str, labels: Mapping[Any, str]
) -> str:
    try:
        return labels[enum_type(value)]
    except ValueError:
        return value


def _presentation(delivery: Delivery) -> Section:
    periods = sorted({cell.period for cell in delivery.cells})
    territories = {(c.territory_level, c.territory_code) for c in delivery.cells}
    requester = _label(RequesterType, delivery.header.requester_type, _REQUESTER_LABELS)
    return Section(
        "Présentation de l’extrait",
        (
            f"Identifiant de l’extrait : {delivery.header.extract_id}",
            f"Date de production : {format_datetime(delivery.header.created_at)}",
            f"Demandeur : {delivery.header.requester_name} ({requester})",
            f"Caf : {delivery.header.caf_name} ({delivery.header.caf_code})",
            "Indicateurs : " + ", ".join(ind.code for ind in delivery.indicators),
            "Périodes : " + (", ".join(str(p) for p in periods) or "aucune"),
            f"Territoires : {len(territories)}",
            f"Cellules : {len(delivery.cells)}, dont {delivery.secret_count} masquées "
            "au titre du secret statistique",
        ),
    )


def _framework(delivery: Delivery) -> Section:
    reference = delivery.header.convention_reference
    frame = f"convention {reference}" if reference else "socle commun, diffusion libre"
    price = format_price(delivery.header.price_total)
    if delivery.header.quote_reference:
        price += f" (devis {delivery.header.quote_reference})"
    return Section(
        "Cadre de diffusion",
        (
            f"Cadre : {frame}",
            f"Usage déclaré : {_label(Use, delivery.header.use, USE_LABELS)}",
            f"Prix : {price}",
            "Le destinataire s’engage à ne tenter aucune ré-identification de personnes ou de "
            "foyers, à ne pas rapprocher ces données d’autres sources dans ce but, à signaler "
            "toute divulgation et à citer la source.",
        ),
    )


def _indicator(delivery: Delivery, indicator: Indicator) -> Section:
    paragraphs = [
        f"Unité : {indicator.unit_label}",
        "Sources : " + ", ".join(_SOURCE_LABELS.get(s, str(s)) for s in indicator.sources),
    ]
    for code in indicator.breakdowns:
        breakdown = delivery.breakdowns[code]
        categories = "; ".join(f"{c.code} = {c.label}" for c in breakdown.categories)
        paragraphs.append(
            f"Ventilation « {code} » ({breakdown.label}) : {categories}; {TOTAL} = ensemble"
        )
    if not indicator.breakdowns:
        paragraphs.append("Aucune ventilation.")
    fiche = tuple(
        Section(FICHE_HEADINGS[name], (getattr(indicator.fiche, name),)) for name in FICHE_FIELDS
    )
    return Section(f"{indicator.code} — {indicator.label}", tuple(paragraphs), fiche)


def _reading(delivery: Delivery) -> Section:
    columns = ", ".join(delivery.breakdown_columns)
    paragraphs = [
        "Chaque ligne des fichiers de données est une cellule : indicateur, période, niveau "
        "géographique, code et libellé du territoire, pour chaque ventilation"
        + (f" ({columns})" if columns else "")
        + " le code de la catégorie et son libellé (colonne suffixée « _libelle »), valeur, "
        "statut (symbole), motif et unité.",
        f"Dans une colonne de ventilation, {TOTAL} (libellé « Ensemble ») désigne l’ensemble "
        f"des catégories et {NOT_APPLICABLE} (libellé « Non ventilé ») signale un indicateur "
        "qui n’est pas ventilé selon cette variable.",
        "Les codes (territoires, catégories) sont du texte : « 01 » est le code de l’Ain, "
        "pas le nombre 1. Les fichiers CSV les écrivent entre guillemets et le classeur XLSX "
        "en cellules de texte ; dans un tableur, importer ces colonnes au format texte.",
        "Les valeurs sont arrondies à l’unité pour les effectifs, au centime pour les montants "
        "en euros et à quatre décimales pour les taux.",
        "Symboles de la colonne « statut » :",
    ]
    paragraphs += [
        f"« {symbol} » : {text}" if symbol else f"Statut vide : {text}"
        for symbol, text in SYMBOL_MEANINGS.items()
    ]
    paragraphs.append(
        "Colonne « motif » : SECRET (valeur masquée), NEANT (aucun contributeur), "
        "DEJA_DIFFUSEE (valeur déjà publiée), SANS_OBJET (valeur inexistante) ; vide pour "
        "une valeur diffusée."
    )
    return Section("Lecture des données et symboles", tuple(paragraphs))


def _territories(delivery: Delivery) -> tuple[Section, ...]:
    """Say which territories straddle the parent asked, and which were left out and why."""
    paragraphs = []
    if delivery.straddling:
        paragraphs.append(
            "Territoires à cheval : les EPCI et les départements sont deux découpages distincts "
            "des communes, et certains EPCI ont des communes dans plusieurs départements. Les "
            "territoires suivants, demandés au titre d’un territoire parent, débordent de ce "
            "parent ; ils sont livrés entiers (toutes leurs communes, y compris hors du parent) "
            "et signalés dans la colonne « territoire_a_cheval » des fichiers :"
        )
        paragraphs += [
            f"{label} ({level} {code}) : à cheval sur les départements {', '.join(deps)}."
            for (level, code, label), deps in delivery.straddling.items()
        ]
    if delivery.header.excluded:
        paragraphs.append(
            "Territoires exclus : les territoires suivants font partie de la demande (ils ont "
            "des communes dans le territoire parent demandé) mais débordent de ce parent et ne "
            "sont pas couverts pour ce demandeur ; ils ne sont pas livrés :"
        )
        paragraphs += [
            f"{e.label} ({e.level} {e.code}, à cheval sur les départements "
            f"{', '.join(e.departements)}) : {e.reason}."
            for e in delivery.header.excluded
        ]
    if not paragraphs:
        return ()
    return (Section("Territoires à cheval et territoires exclus", tuple(paragraphs)),)


def _secrecy(delivery: Delivery) -> Section:
    per_indicator = tuple(
        Section(f"{ind.code} — {ind.label}", _rules_text(delivery, ind))
        for ind in delivery.indicators
    )
    interval = format_number(Decimal(repr(delivery.interval_percent)))
    return Section(
        "Secret statistique",
        (
            "Les données de la branche Famille sont diffusées dans le respect du secret "
            "statistique : aucune cellule ne doit permettre de connaître la situation d’un "
            "foyer ou d’un établissement. Les cellules à risque sont masquées (secret primaire) "
            "selon les règles suivantes, appliquées à chaque indicateur.",
        ),
        (
            *per_indicator,
            Section(
                "Secret secondaire",
                (
                    "D’autres cellules sont masquées (secret secondaire) pour qu’aucune cellule à "
                    "risque ne puisse être recalculée par différence à partir des totaux et "
                    "sous-totaux (communes, EPCI et niveaux supérieurs ; catégories et "
                    "ensemble), y compris en tenant compte des données déjà diffusées.",
                ),
            ),
            Section(
                "Intervalle de protection",
                (
                    "Pour toute cellule masquée, l’ensemble des valeurs compatibles avec les "
                    f"données publiées couvre un intervalle d’au moins {interval} % de sa "
                    "valeur : aucune valeur masquée ne peut être retrouvée exactement.",
                ),
            ),
        ),
    )


def applied_rules(delivery: Delivery, indicator: Indicator) -> tuple[Rule, ...]:
    """Return the secrecy rules the delivery applied to an indicator (its catalogue's, else)."""
    return delivery.rules.get(indicator.code, indicator.secrecy.rules)


def _rules_text(delivery: Delivery, indicator: Indicator) -> tuple[str, ...]:
    lines = rule_lines(indicator, applied_rules(delivery, indicator))
    return lines or ("Aucune règle particulière.",)


def rule_lines(indicator: Indicator, rules: tuple[Rule, ...] | None = None) -> tuple[str, ...]:
    """Explain in French the primary secrecy of an indicator's cells, one sentence a line.

    Its rules (the catalogue's unless given), then what protects a ratio and zero cells.
    """
    chosen = indicator.secrecy.rules if rules is None else rules
    lines = [explain_rule(rule, indicator.unit) for rule in chosen]
    if indicator.is_ratio:
        lines.append(
            f"Ratio : masqué dès que son numérateur ({indicator.numerator}) ou son "
            f"dénominateur ({indicator.denominator}) l’est."
        )
    if indicator.secrecy.zero_unsafe:
        lines.append("Une cellule nulle est elle-même révélatrice : elle est masquée.")
    return tuple(lines)


def explain_rule(rule: Rule, unit: ContributingUnit) -> str:
    """Explain a rule in French ("FREQ(5,10) : une cellule comptant moins de 5 foyers ...")."""
    return rule.explain_fr(_CONTRIBUTORS.get(unit, "contributeurs"))


def _reliability(delivery: Delivery) -> Section:
    paragraphs = [
        f"{ind.code} : {ind.reliability}" for ind in delivery.indicators if ind.reliability
    ]
    paragraphs += list(delivery.warnings)
    if delivery.header.synthetic:
        paragraphs.insert(0, SYNTHETIC_BANNER)
    return Section(
        "Fiabilité et avertissements",
        tuple(paragraphs) or ("Aucun avertissement particulier.",),
    )


def _citation(delivery: Delivery) -> Section:
    return Section(
        "Citer la source",
        ("Toute reprise de ces données doit citer :", *source_lines(delivery)),
    )
