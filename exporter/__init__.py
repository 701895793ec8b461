"""microlm exporter: train, quantize, check and export micro language models."""
__version__ = "0.1.0"
