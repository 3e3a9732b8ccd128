"""Disbursement file formats: SEPA pain.001 out, pain.002 in, and the accounting export."""
