"""microlm host tools: flash boards, talk to them over serial, measure them."""
__version__ = "0.1.0"
