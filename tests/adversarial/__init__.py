"""Adversarial tests: contracts, messages and files built to break the simulator."""
