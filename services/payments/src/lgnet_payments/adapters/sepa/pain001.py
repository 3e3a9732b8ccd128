"""SEPA Credit Transfer initiation ``pain.001.001.09`` for a payment batch, built with sepaxml.

sepaxml builds the document; we then pin the identifiers it would otherwise randomise
(MsgId, PmtInfId = our batch id) and the creation time (the injected ``batch.created_at``
instead of the host's naive local clock), so the same batch always yields the same file
and a pain.002 can be matched back by MsgId. The result is validated against the official
ISO 20022 XSD that sepaxml ships.

Remittance information is "LGNet3 contributo abitativo <grant id>": it never carries the
purpose, the household's situation or any special-category data.
"""

from __future__ import annotations

from datetime import UTC
from functools import lru_cache
from pathlib import Path
from typing import Any

import sepaxml
from lxml import etree
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException
from sepaxml import SepaTransfer

from lgnet_payments.domain.batch import PaymentBatch

SCHEMA = "pain.001.001.09"
NAMESPACE = f"urn:iso:std:iso:20022:tech:xsd:{SCHEMA}"
XSD_PATH = Path(sepaxml.__file__).parent / "schemas" / f"{SCHEMA}.xsd"


class Pain001Error(ValueError):
    pass


@lru_cache(maxsize=1)
def pain001_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(XSD_PATH)))


def _safe_parser() -> etree.XMLParser:
    # Our own output, but keep the parser closed anyway: no entities, DTDs or network.
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, remove_blank_text=True)


def _check_iban(iban: str, who: str, problems: list[str]) -> None:
    try:
        IBAN(iban)
    except SchwiftyException as exc:
        problems.append(f"{who}: invalid IBAN ({exc})")


def build_pain001(batch: PaymentBatch, *, validate: bool = True) -> bytes:
    problems: list[str] = []
    _check_iban(batch.debtor.iban, "debtor", problems)
    for i in batch.instructions:
        _check_iban(i.payee_iban, f"grant {i.grant_id}", problems)
    if problems:
        raise Pain001Error("; ".join(problems))

    config: dict[str, Any] = {
        "name": batch.debtor.name,
        "IBAN": batch.debtor.iban,
        "batch": True,  # one PmtInf with all transfers, booked as one debit
        "currency": "EUR",
    }
    if batch.debtor.bic:
        config["BIC"] = batch.debtor.bic
    transfer = SepaTransfer(config, schema=SCHEMA, clean=True)
    for i in batch.instructions:
        transfer.add_payment(
            {
                "name": i.payee_name,
                "IBAN": i.payee_iban,
                "amount": i.amount_cents,  # sepaxml takes integer cents
                "execution_date": batch.execution_date,
                "description": i.remittance,
                "endtoend_id": i.end_to_end_id,
            }
        )
    raw: bytes = transfer.export(validate=False)

    root = etree.fromstring(raw, _safe_parser())
    ns = {"p": NAMESPACE}
    created = batch.created_at.astimezone(UTC).replace(microsecond=0).isoformat()
    _set(root, "p:CstmrCdtTrfInitn/p:GrpHdr/p:MsgId", batch.batch_id, ns)
    _set(root, "p:CstmrCdtTrfInitn/p:GrpHdr/p:CreDtTm", created, ns)
    _set(root, "p:CstmrCdtTrfInitn/p:PmtInf/p:PmtInfId", batch.batch_id, ns)
    for agent in root.iterfind("p:CstmrCdtTrfInitn/p:PmtInf/p:DbtrAgt/p:FinInstnId", ns):
        if len(agent) == 0:
            # EPC rulebook: without a BIC the agent is "NOTPROVIDED", not an empty element.
            other = etree.SubElement(agent, f"{{{NAMESPACE}}}Othr")
            etree.SubElement(other, f"{{{NAMESPACE}}}Id").text = "NOTPROVIDED"
    document = etree.ElementTree(root)
    if validate:
        schema = pain001_schema()
        if not schema.validate(document):
            raise Pain001Error(f"generated pain.001 is not schema-valid: {schema.error_log}")
    out: bytes = etree.tostring(document, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return out


def _set(root: etree._Element, path: str, value: str, ns: dict[str, str]) -> None:
    nodes = root.findall(path, ns)
    if len(nodes) != 1:
        raise Pain001Error(f"expected exactly one {path} in the sepaxml output, found {len(nodes)}")
    nodes[0].text = value


class Pain001Sink:
    """SEPA Credit Transfer file for municipalities paying from an ordinary bank account."""

    format_name = SCHEMA
    media_type = "application/xml"
    file_extension = "xml"

    def render(self, batch: PaymentBatch) -> bytes:
        return build_pain001(batch)
