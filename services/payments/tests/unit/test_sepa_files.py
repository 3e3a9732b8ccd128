"""pain.001 out (validated against the official ISO 20022 XSD), pain.002 in, accounting export."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from lxml import etree

from lgnet_payments.adapters.sepa.accounting_export import (
    CSV_HEADER,
    CsvAccountingSink,
    DisbursementSink,
    JsonAccountingSink,
    available_sinks,
    cents_to_euros,
    file_name,
    render_csv,
    render_json,
)
from lgnet_payments.adapters.sepa.pain001 import Pain001Error, Pain001Sink, build_pain001
from lgnet_payments.adapters.sepa.pain002 import (
    PaymentOutcome,
    TransactionStatus,
    build_pain002,
    parse_pain002,
)
from lgnet_payments.domain.batch import DebtorAccount, PaymentBatch, build_batch
from lgnet_payments.domain.grant import Grant

NOW = datetime(2025, 3, 3, 9, 30, tzinfo=UTC)
XSD = Path(__file__).resolve().parents[1] / "fixtures" / "pain.001.001.09.xsd"
NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"}
GrantFactory = Callable[..., Grant]


@pytest.fixture
def batch(make_grant: GrantFactory) -> PaymentBatch:
    return build_batch(
        "058091",
        [
            make_grant("g-0001", amount=80_000, name="Amina Ouédraogo"),
            make_grant("g-0002", amount=1_250_05, name='Olena Kovalenko; "Lena"'),
            make_grant("g-0003", amount=5, name="Yusuf Demir"),
        ],
        batch_id="LGN-058091-202503030930-001",
        debtor=DebtorAccount("Roma Capitale", "IT53M0542811101000000058091"),
        execution_date=date(2025, 3, 5),
        created_at=NOW,
    )


@pytest.fixture(scope="module")
def xsd() -> etree.XMLSchema:
    # The official ISO 20022 schema (as shipped by sepaxml), copied into the fixtures.
    return etree.XMLSchema(etree.parse(str(XSD)))


def test_pain001_validates_against_the_official_xsd(batch: PaymentBatch, xsd: etree.XMLSchema) -> None:
    document = etree.fromstring(build_pain001(batch))
    xsd.assertValid(document)
    header = document.find("p:CstmrCdtTrfInitn/p:GrpHdr", NS)
    assert header is not None
    assert header.findtext("p:MsgId", namespaces=NS) == batch.batch_id
    assert header.findtext("p:CreDtTm", namespaces=NS) == "2025-03-03T09:30:00+00:00"
    assert header.findtext("p:NbOfTxs", namespaces=NS) == "3"
    assert header.findtext("p:CtrlSum", namespaces=NS) == "2050.10"
    pmt = document.find("p:CstmrCdtTrfInitn/p:PmtInf", NS)
    assert pmt is not None
    assert pmt.findtext("p:ReqdExctnDt/p:Dt", namespaces=NS) == "2025-03-05"
    assert pmt.findtext("p:DbtrAgt/p:FinInstnId/p:Othr/p:Id", namespaces=NS) == "NOTPROVIDED"
    txs = pmt.findall("p:CdtTrfTxInf", NS)
    assert [t.findtext("p:PmtId/p:EndToEndId", namespaces=NS) for t in txs] == ["g0001", "g0002", "g0003"]
    assert [t.findtext("p:Amt/p:InstdAmt", namespaces=NS) for t in txs] == ["800.00", "1250.05", "0.05"]
    assert txs[0].findtext("p:RmtInf/p:Ustrd", namespaces=NS) == "LGNet3 contributo abitativo g-0001"
    assert txs[0].findtext("p:Cdtr/p:Nm", namespaces=NS) == "Amina Ouedraogo"  # SEPA charset


def test_pain001_is_deterministic(batch: PaymentBatch) -> None:
    assert build_pain001(batch) == build_pain001(batch)


def test_pain001_refuses_an_iban_schwifty_rejects(batch: PaymentBatch) -> None:
    bad = PaymentBatch(
        batch.batch_id,
        batch.municipality,
        batch.execution_date,
        batch.created_at,
        DebtorAccount("Roma Capitale", "IT00M0542811101000000058091"),
        batch.instructions,
    )
    with pytest.raises(Pain001Error, match="debtor"):
        build_pain001(bad)


def test_parse_sample_pain002_v10(fixtures_dir: Path) -> None:
    report = parse_pain002((fixtures_dir / "pain002_v10_sample.xml").read_bytes())
    assert report.original_message_id == "LGN-058091-202503030930-001"
    assert report.original_message_type == "pain.001.001.09"
    by_id = {t.end_to_end_id: t for t in report.transactions}
    assert by_id["g0001"].outcome is PaymentOutcome.SETTLED
    assert by_id["g0002"].outcome is PaymentOutcome.REJECTED
    assert by_id["g0002"].reason_code == "AC04"
    assert by_id["g0002"].additional_info == "Closed account number"
    assert by_id["g0003"].outcome is PaymentOutcome.ACCEPTED


def test_group_rejection_in_pain002_v03_applies_to_every_transfer(fixtures_dir: Path) -> None:
    report = parse_pain002((fixtures_dir / "pain002_v03_group_rejected.xml").read_bytes())
    assert report.transactions == ()
    statuses = report.statuses_for(["g0001", "g0002"])
    assert {s.outcome for s in statuses.values()} == {PaymentOutcome.REJECTED}
    assert statuses["g0001"].reason_code == "FF01"


def test_pain002_round_trip(batch: PaymentBatch) -> None:
    sent = [
        TransactionStatus("g0001", "ACSC"),
        TransactionStatus("g0002", "RJCT", "AC04", "Closed account number"),
        TransactionStatus("g0003", "PDNG"),
    ]
    xml = build_pain002(
        message_id="BANK-1",
        created_at=NOW,
        original_message_id=batch.batch_id,
        statuses=sent,
        group_status="PART",
    )
    report = parse_pain002(xml)
    assert report.message_id == "BANK-1"
    assert report.original_message_id == batch.batch_id
    assert report.transactions == tuple(sent)
    assert [batch.grant_for_end_to_end_id(t.end_to_end_id) for t in report.transactions] == [
        "g-0001",
        "g-0002",
        "g-0003",
    ]


def test_pain002_parser_refuses_entities_and_garbage() -> None:
    evil = (
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.10"><CstmrPmtStsRpt>'
        b"<GrpHdr><MsgId>&x;</MsgId></GrpHdr><OrgnlGrpInfAndSts><OrgnlMsgId>M</OrgnlMsgId>"
        b"</OrgnlGrpInfAndSts></CstmrPmtStsRpt></Document>"
    )
    from lgnet_payments.adapters.sepa.pain002 import Pain002Error

    with pytest.raises(Pain002Error):
        parse_pain002(evil)  # the entity is not expanded, so MsgId is empty
    with pytest.raises(Pain002Error):
        parse_pain002(b"not xml")


def test_csv_export_exact_content(batch: PaymentBatch) -> None:
    expected = (
        "batch_id;municipality_istat;execution_date;debtor_name;debtor_iban;grant_id;end_to_end_id;"
        "payee_name;payee_iban;amount_eur;currency;remittance\r\n"
        "LGN-058091-202503030930-001;058091;2025-03-05;Roma Capitale;IT53M0542811101000000058091;"
        "g-0001;g0001;Amina Ouédraogo;IT60X0542811101000000123456;800.00;EUR;"
        "LGNet3 contributo abitativo g-0001\r\n"
        "LGN-058091-202503030930-001;058091;2025-03-05;Roma Capitale;IT53M0542811101000000058091;"
        'g-0002;g0002;"Olena Kovalenko; ""Lena""";IT60X0542811101000000123456;1250.05;EUR;'
        "LGNet3 contributo abitativo g-0002\r\n"
        "LGN-058091-202503030930-001;058091;2025-03-05;Roma Capitale;IT53M0542811101000000058091;"
        "g-0003;g0003;Yusuf Demir;IT60X0542811101000000123456;0.05;EUR;"
        "LGNet3 contributo abitativo g-0003\r\n"
    )
    assert render_csv(batch) == expected.encode("utf-8")
    assert len(CSV_HEADER) == 12


def test_json_export(batch: PaymentBatch) -> None:
    document = json.loads(render_json(batch))
    assert document["format"] == "lgnet3.disbursement.v1"
    assert document["control_sum_cents"] == 205_010
    assert document["control_sum_eur"] == "2050.10"
    assert document["count"] == 3
    assert [p["amount_eur"] for p in document["payments"]] == ["800.00", "1250.05", "0.05"]
    assert document["payments"][0]["payee_name"] == "Amina Ouédraogo"
    assert document["created_at"] == "2025-03-03T09:30:00+00:00"


@pytest.mark.parametrize(
    ("cents", "euros"), [(0, "0.00"), (5, "0.05"), (100, "1.00"), (107_635_303, "1076353.03")]
)
def test_cents_to_euros_is_exact(cents: int, euros: str) -> None:
    assert cents_to_euros(cents) == euros


def test_sinks_share_one_protocol(batch: PaymentBatch) -> None:
    sinks = available_sinks()
    assert set(sinks) == {"pain.001.001.09", "accounting-csv", "accounting-json"}
    for sink in (Pain001Sink(), CsvAccountingSink(), JsonAccountingSink()):
        assert isinstance(sink, DisbursementSink)
        assert sink.render(batch)
    assert file_name(batch, sinks["accounting-csv"]) == "LGN-058091-202503030930-001.csv"
