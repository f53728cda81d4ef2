"""The misbehaving contracts of the adversarial catalogue, as WAT."""
