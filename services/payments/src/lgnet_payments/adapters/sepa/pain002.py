"""Bank payment status reports (``pain.002.001.10`` and ``pain.002.001.03``).

``parse_pain002`` turns a report into one ``TransactionStatus`` per end-to-end id. It reads
elements by local name, so both versions (and banks' namespace variants) parse the same.
A bank may answer per transaction, per payment information block or for the whole message;
``StatusReport.statuses_for`` applies the most specific status available to each id.

Outcomes (ISO 20022 ExternalPaymentTransactionStatus1Code):

- SETTLED: ACSC, ACCC - money left (disburse the grant, commit the budget);
- ACCEPTED: ACTC, ACCP, ACSP, ACWC, ACFC, ACWP, PART - accepted, not yet settled (wait);
- PENDING: PDNG, RCVD and any unknown code (wait; the raw code is kept);
- REJECTED: RJCT, CANC - the application treats it as a return: the grant is marked
  returned (from batched or, after a late return, from disbursed) and the budget released.

``build_pain002`` fabricates a well-formed pain.002.001.10 (element order as in the ISO
message definition) for tests and for a bank simulator. No official pain.002 XSD is shipped
by sepaxml, so it is not schema-validated here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from lxml import etree


class Pain002Error(ValueError):
    pass


class PaymentOutcome(StrEnum):
    SETTLED = "settled"
    ACCEPTED = "accepted"
    PENDING = "pending"
    REJECTED = "rejected"


_OUTCOMES: Mapping[str, PaymentOutcome] = {
    "ACSC": PaymentOutcome.SETTLED,
    "ACCC": PaymentOutcome.SETTLED,
    "ACTC": PaymentOutcome.ACCEPTED,
    "ACCP": PaymentOutcome.ACCEPTED,
    "ACSP": PaymentOutcome.ACCEPTED,
    "ACWC": PaymentOutcome.ACCEPTED,
    "ACFC": PaymentOutcome.ACCEPTED,
    "ACWP": PaymentOutcome.ACCEPTED,
    "PART": PaymentOutcome.ACCEPTED,
    "PDNG": PaymentOutcome.PENDING,
    "RCVD": PaymentOutcome.PENDING,
    "RJCT": PaymentOutcome.REJECTED,
    "CANC": PaymentOutcome.REJECTED,
}


def outcome_of(status_code: str) -> PaymentOutcome:
    return _OUTCOMES.get(status_code.strip().upper(), PaymentOutcome.PENDING)


@dataclass(frozen=True, slots=True)
class TransactionStatus:
    end_to_end_id: str
    status_code: str
    reason_code: str | None = None
    additional_info: str | None = None

    @property
    def outcome(self) -> PaymentOutcome:
        return outcome_of(self.status_code)


@dataclass(frozen=True, slots=True)
class BlockStatus:
    """A status given for a whole payment information block or the whole message."""

    status_code: str
    reason_code: str | None = None


@dataclass(frozen=True, slots=True)
class StatusReport:
    message_id: str
    created_at: str
    original_message_id: str
    original_message_type: str
    group_status: BlockStatus | None
    payment_information_status: Mapping[str, BlockStatus]
    transactions: tuple[TransactionStatus, ...]

    def statuses_for(
        self, end_to_end_ids: Iterable[str], *, payment_information_id: str | None = None
    ) -> dict[str, TransactionStatus]:
        """Per id: its own status, else its payment block's, else the group's; absent if none."""
        own = {t.end_to_end_id: t for t in self.transactions}
        block = self.payment_information_status.get(payment_information_id or "")
        fallback = block or self.group_status
        result: dict[str, TransactionStatus] = {}
        for e2e in end_to_end_ids:
            if e2e in own:
                result[e2e] = own[e2e]
            elif fallback is not None:
                result[e2e] = TransactionStatus(e2e, fallback.status_code, fallback.reason_code)
        return result


def _parser() -> etree.XMLParser:
    # Files come from outside: no entity expansion, no DTD, no network (XXE / billion laughs).
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def _text(node: etree._Element | None, path: str) -> str | None:
    if node is None:
        return None
    found = node.find(path)
    if found is None or found.text is None:
        return None
    text: str = found.text.strip()
    return text


def _reason(node: etree._Element) -> str | None:
    return _text(node, "{*}StsRsnInf/{*}Rsn/{*}Cd") or _text(node, "{*}StsRsnInf/{*}Rsn/{*}Prtry")


def parse_pain002(xml: bytes) -> StatusReport:
    try:
        root = etree.fromstring(xml, _parser())
    except etree.XMLSyntaxError as exc:
        raise Pain002Error(f"not well-formed XML: {exc}") from exc
    report = root.find("{*}CstmrPmtStsRpt")
    if report is None:
        raise Pain002Error("not a pain.002 customer payment status report")
    group = report.find("{*}OrgnlGrpInfAndSts")
    message_id = _text(report, "{*}GrpHdr/{*}MsgId")
    original_id = _text(group, "{*}OrgnlMsgId")
    if not message_id or not original_id:
        raise Pain002Error("missing GrpHdr/MsgId or OrgnlGrpInfAndSts/OrgnlMsgId")
    group_code = _text(group, "{*}GrpSts")
    group_status = None
    if group is not None and group_code:
        group_status = BlockStatus(group_code, _reason(group))

    blocks: dict[str, BlockStatus] = {}
    transactions: list[TransactionStatus] = []
    for pmt in report.findall("{*}OrgnlPmtInfAndSts"):
        pmt_id = _text(pmt, "{*}OrgnlPmtInfId") or ""
        pmt_code = _text(pmt, "{*}PmtInfSts")
        if pmt_code:
            blocks[pmt_id] = BlockStatus(pmt_code, _reason(pmt))
        for tx in pmt.findall("{*}TxInfAndSts"):
            e2e = _text(tx, "{*}OrgnlEndToEndId")
            code = _text(tx, "{*}TxSts") or pmt_code or group_code
            if not e2e or not code:
                raise Pain002Error("a TxInfAndSts lacks OrgnlEndToEndId or any status")
            transactions.append(
                TransactionStatus(e2e, code, _reason(tx), _text(tx, "{*}StsRsnInf/{*}AddtlInf"))
            )
    return StatusReport(
        message_id=message_id,
        created_at=_text(report, "{*}GrpHdr/{*}CreDtTm") or "",
        original_message_id=original_id,
        original_message_type=_text(group, "{*}OrgnlMsgNmId") or "",
        group_status=group_status,
        payment_information_status=blocks,
        transactions=tuple(transactions),
    )


def build_pain002(
    *,
    message_id: str,
    created_at: datetime,
    original_message_id: str,
    statuses: Iterable[TransactionStatus],
    original_payment_information_id: str | None = None,
    group_status: str | None = None,
    original_message_type: str = "pain.001.001.09",
    version: str = "pain.002.001.10",
) -> bytes:
    """A minimal bank answer to one of our pain.001 files (tests and bank simulators)."""
    ns = f"urn:iso:std:iso:20022:tech:xsd:{version}"

    def el(parent: etree._Element, tag: str, text: str | None = None) -> etree._Element:
        child = etree.SubElement(parent, f"{{{ns}}}{tag}")
        if text is not None:
            child.text = text
        return child

    root = etree.Element(f"{{{ns}}}Document", nsmap={None: ns})
    report = el(root, "CstmrPmtStsRpt")
    header = el(report, "GrpHdr")
    el(header, "MsgId", message_id)
    el(header, "CreDtTm", created_at.astimezone(UTC).replace(microsecond=0).isoformat())
    group = el(report, "OrgnlGrpInfAndSts")
    el(group, "OrgnlMsgId", original_message_id)
    el(group, "OrgnlMsgNmId", original_message_type)
    if group_status:
        el(group, "GrpSts", group_status)
    txs = list(statuses)
    if txs:
        pmt = el(report, "OrgnlPmtInfAndSts")
        el(pmt, "OrgnlPmtInfId", original_payment_information_id or original_message_id)
        for t in txs:
            tx = el(pmt, "TxInfAndSts")
            el(tx, "OrgnlEndToEndId", t.end_to_end_id)
            el(tx, "TxSts", t.status_code)
            if t.reason_code or t.additional_info:
                info = el(tx, "StsRsnInf")
                if t.reason_code:
                    el(el(info, "Rsn"), "Cd", t.reason_code)
                if t.additional_info:
                    el(info, "AddtlInf", t.additional_info)
    out: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return out
