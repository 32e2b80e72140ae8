"""eark-validator (the E-ARK reference validator, PyPI) on a package folder, offline.

At import, eark-validator reads four DILCIS vocabularies from their URLs; this machine reaches package
registries only, and the same vocabularies ship inside the package (`ipxml/resources/vocabs`). So the
import reads them from there: the rules checked are the validator's own, unchanged.
"""

from __future__ import annotations

import importlib.util
import urllib.request
from pathlib import Path
from typing import Any

from lxml import etree

_VOCABS = (
    Path(importlib.util.find_spec("eark_validator").submodule_search_locations[0]) / "ipxml/resources/vocabs"
)
_SCHEMAS = _VOCABS.parent / "schema"


def _import_offline() -> Any:
    real = urllib.request.urlopen

    def shipped(url: str, *args: Any, **kwargs: Any) -> Any:
        name = str(url).rsplit("/", 1)[-1]
        if str(url).startswith("https://earkcsip.dilcis.eu/schema/") and (_VOCABS / name).is_file():
            return (_VOCABS / name).open("rb")
        return real(url, *args, **kwargs)

    urllib.request.urlopen = shipped
    try:
        from eark_validator import packages
        from eark_validator.specifications.specification import SpecificationVersion
    finally:
        urllib.request.urlopen = real
    return packages, SpecificationVersion


def validate_package(path: Path) -> Any:
    """eark-validator's ValidationReport for the package folder (CSIP 2.1.0 and SIP profiles)."""
    packages, version = _import_offline()
    return packages.PackageValidator.validate(version.V2_1_0, path)


def errors(report: Any) -> list[str]:
    """Every ERROR-level message of the report: structure, METS schema, CSIP/SIP rules."""
    out = [
        f"structure {m.rule_id}: {m.message}" for m in report.structure.messages if m.severity.name == "ERROR"
    ]
    if report.metadata:
        for kind in ("schema_results", "schematron_results"):
            for m in getattr(report.metadata, kind).messages:
                if m.severity.name == "ERROR":
                    out.append(f"{kind} {m.rule_id}: {m.message} @ {m.location}")
    return out


def mets_schema() -> etree.XMLSchema:
    """METS 1.12 with xlink and the DILCIS CSIP/SIP extensions: the XSDs eark-validator ships."""
    wrapper = f"""<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
      <xs:import namespace="http://www.loc.gov/METS/" schemaLocation="{(_SCHEMAS / "mets.xsd").as_uri()}"/>
      <xs:import namespace="https://DILCIS.eu/XML/METS/CSIPExtensionMETS"
                 schemaLocation="{(_SCHEMAS / "DILCISExtensionMETS.xsd").as_uri()}"/>
      <xs:import namespace="https://DILCIS.eu/XML/METS/SIPExtensionMETS"
                 schemaLocation="{(_SCHEMAS / "DILCISExtensionSIPMETS.xsd").as_uri()}"/>
    </xs:schema>"""
    parser = etree.XMLParser()
    parser.resolvers.add(_Shipped())
    return etree.XMLSchema(etree.fromstring(wrapper.encode(), parser))


class _Shipped(etree.Resolver):
    """Schemas the XSDs import by URL (xlink, xml), from the copies eark-validator ships."""

    def resolve(self, url: str, pubid: str | None, context: Any) -> Any:
        name = str(url).rsplit("/", 1)[-1]
        if str(url).startswith("http") and (_SCHEMAS / name).is_file():
            return self.resolve_filename(str(_SCHEMAS / name), context)
        return None
