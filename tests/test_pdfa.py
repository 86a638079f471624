"""The brief's PDF is an archival PDF/A-3b that carries its incidents, checked by a PDF/A validator.

veraPDF, the reference validator, is a Java program published on none of the registries this project
installs from (PyPI, Debian, npm); pdfluent (PyPI) validates against the clauses of ISO 19005-1/2/3 and
is the validator used here. It reports two clauses the brief is not bound by, and each is waived with the
text of the standard that makes it so; everything else it checks must pass.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pypdf
import pytest
import weasyprint
from pdfluent import validate_pdfa

from sitrep.cli import main

from .conftest import DEFAULT_CONTENT

BRIEF = "brief-2024-04-22"
BASE_URL = "https://monitor.example.org/"

#: Clauses pdfluent applies to PDF/A-3b that ISO 19005-3 does not, with why.
WAIVED = {
    # ISO 19005-2 and -3, 6.2.11.4.2: "If the FontDescriptor dictionary of an embedded CID font contains a
    # CIDSet stream, then it shall identify all CIDs which are present in the font program". A CIDSet is
    # required only by PDF/A-1 (ISO 19005-1, 6.3.5); pdfluent asks for it at every level.
    "6.2.11.5": "Subset CIDFont",
    # ISO 19005-2 and -3, 6.2.10: only "if the document does not contain a PDF/A OutputIntent" must a page
    # with transparency carry a /Group with a blending colour space; the brief has the sRGB output intent
    # (asserted below).
    "6.2.10": "Page uses transparency but has no /Group entry",
    # ISO 19005-1, 6.4, forbids soft masks (PDF/A-1 has no transparency); ISO 19005-2 and -3 allow
    # transparency, and with it an image's /SMask (its alpha channel). pdfluent applies the part 1 rule.
    "6.4.2": "XObject",
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the default content with a base URL set, and return the output folder."""
    import shutil

    root = tmp_path_factory.mktemp("pdfa")
    content = root / "content"
    shutil.copytree(DEFAULT_CONTENT, content)
    site = content / "site.yaml"
    site.write_text(site.read_text() + f"base_url: {BASE_URL}\n")
    output = root / "output"
    assert main(["--content", str(content), "--output", str(output), "--no-search", "-q"]) == 0
    return output


@pytest.fixture(scope="module")
def pdf_path(built: Path) -> Path:
    return built / "briefs" / f"{BRIEF}.pdf"


@pytest.fixture(scope="module")
def reader(pdf_path: Path) -> pypdf.PdfReader:
    return pypdf.PdfReader(pdf_path)


def unwaived(path: Path) -> list[str]:
    """Return the validator's findings on a PDF, but for the waived clauses."""
    report = validate_pdfa(str(path))
    return [f"{issue.rule}: {issue.message}" for issue in report.issues
            if not (issue.rule in WAIVED and issue.message.startswith(WAIVED[issue.rule].split(" ")[0]))]


def test_the_brief_passes_pdfa_3b_validation(pdf_path: Path):
    report = validate_pdfa(str(pdf_path))
    assert report.pdfa_level == "PDF/A-3B"
    assert unwaived(pdf_path) == []


def test_a_brief_with_an_image_from_content_passes_too(tmp_path: Path):
    """An analyst's picture with an alpha channel: WeasyPrint asks viewers to smooth it, which PDF/A forbids."""
    import base64
    import shutil

    content = tmp_path / "content"
    shutil.copytree(DEFAULT_CONTENT, content)
    (content / "assets").mkdir(exist_ok=True)
    # a 1 x 1 RGBA PNG
    png = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")
    (content / "assets" / "crater.png").write_bytes(png)
    incident = content / "incidents" / "2024-04-20-kalsu-base-explosion.yaml"
    incident.write_text(incident.read_text().replace("summary: |\n", "summary: |\n  ![Crater](assets/crater.png)\n\n", 1))
    output = tmp_path / "out"
    assert main(["--content", str(content), "--output", str(output), "--no-search", "-q"]) == 0
    pdf = output / "briefs" / f"{BRIEF}.pdf"
    images = [xobject.get_object() for page in pypdf.PdfReader(pdf).pages
              for xobject in page["/Resources"].get("/XObject", {}).values()
              if xobject.get_object().get("/Subtype") == "/Image"]
    assert images and all(image.get("/Interpolate") in (None, False) for image in images)  # pypdf: truthy objects
    assert unwaived(pdf) == []


def test_the_validator_fails_a_pdf_that_is_not_pdfa(tmp_path: Path):
    """The same renderer without the PDF/A variant: no metadata stream, no output intent, and it says so."""
    plain = tmp_path / "plain.pdf"
    weasyprint.HTML(string='<p style="color: #9c2a00">Brief <a href="https://example.org/">link</a></p>').write_pdf(
        plain)
    findings = unwaived(plain)
    assert any(finding.startswith("6.6.2.1: No XMP metadata stream") for finding in findings), findings


def test_xmp_metadata_names_the_part_the_title_and_the_author(reader: pypdf.PdfReader):
    xmp = reader.xmp_metadata
    assert xmp is not None
    raw = xmp.stream.get_data().decode("utf-8")
    assert 'pdfaid:part="3"' in raw and 'pdfaid:conformance="B"' in raw
    assert xmp.dc_title == {"x-default": "Situation brief 2: Iraq–Syria Security Brief"}
    assert xmp.dc_creator == ["Iraq–Syria Security Monitor"]
    assert reader.metadata.title == xmp.dc_title["x-default"]  # the document information agrees
    assert "<xmp:CreateDate>2024-04-22T12:00:00+03:00</xmp:CreateDate>" in raw


def test_the_pdf_has_an_srgb_output_intent_and_stays_tagged(reader: pypdf.PdfReader):
    root = reader.trailer["/Root"]
    intents = [intent.get_object() for intent in root["/OutputIntents"]]
    assert [intent["/S"] for intent in intents] == ["/GTS_PDFA1"]
    assert intents[0]["/DestOutputProfile"].get_object().get_data()[36:40] == b"acsp"  # an ICC profile
    assert bool(root["/MarkInfo"]["/Marked"]) and "/StructTreeRoot" in root
    assert root["/Lang"] == "en"


def test_the_pdf_carries_its_incidents_as_json_and_csv(reader: pypdf.PdfReader):
    files = {}
    for reference in reader.trailer["/Root"]["/AF"]:
        spec = reader.get_object(reference.idnum) if hasattr(reference, "idnum") else reference.get_object()
        stream = spec["/EF"]["/F"].get_object()
        files[spec["/F"]] = (spec["/AFRelationship"], stream["/Subtype"], stream.get_data().decode("utf-8"))
    assert sorted(files) == [f"{BRIEF}-incidents.csv", f"{BRIEF}-incidents.json"]  # each named once
    relationship, subtype, text = files[f"{BRIEF}-incidents.json"]
    assert (relationship, subtype) == ("/Data", "/application/json")
    data = json.loads(text)
    assert (data["brief"], data["period"], data["cutoff"]) == (
        BRIEF, {"start": "2024-04-16", "end": "2024-04-22"}, "2024-04-22T12:00:00+03:00")
    assert [i["id"] for i in data["incidents"]] == ["2024-04-20-kalsu-base-explosion",
                                                    "2024-04-21-kharab-al-jir-rockets"]
    relationship, subtype, text = files[f"{BRIEF}-incidents.csv"]
    assert (relationship, subtype) == ("/Data", "/text/csv")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(r["event_date"], r["location"], r["fatalities"]) for r in rows] == [
        ("2024-04-20", "Kalsu military base", "1"), ("2024-04-21", "Kharab al-Jir base", "0")]


def test_the_pdf_prints_and_links_its_web_version(reader: pypdf.PdfReader):
    first = re.sub(r"\s+", "", reader.pages[0].extract_text())
    url = f"{BASE_URL}briefs/{BRIEF}.html"
    assert url in first
    links = [annotation.get_object()["/A"].get("/URI") for annotation in reader.pages[0].get("/Annots", [])
             if annotation.get_object().get("/A")]
    assert url in links
