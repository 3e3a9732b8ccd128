"""The whole system on one machine: engines, the four services, dev gateways, seed data, a demo case."""
