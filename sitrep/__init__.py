"""sitrep: situation briefs and a static website from incident data written as YAML."""

__version__ = "0.1.0"
