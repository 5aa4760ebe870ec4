"""Make the PDF-only copy of Sarabun's Thai subset, so that a PDF's text layer keeps "ำ".

HarfBuzz's Thai shaper always splits SARA AM (ำ, U+0E33) into NIKHAHIT (U+0E4D) and SARA AA
(U+0E32) glyphs, so in the font as shipped "ำ" and "า" end in the same SARA AA glyph, and a
PDF's ToUnicode map (one text per glyph) cannot tell them apart: "ตำบล" is copied as "ตาบล".
This copy adds `uni0E32.am`, the same outline and advance as SARA AA, and a GSUB rule (last
in the `ccmp` feature) that puts it in place of SARA AA right after a NIKHAHIT, with or
without a tone mark between them (HarfBuzz moves NIKHAHIT before the tone mark, and the font
may join the two into one glyph). portal/pdf.py then maps `uni0E32.am` to "ำ".

Run by scripts/vendor_static.sh after copying the Fontsource files; by hand:
    python scripts/make_pdf_fonts.py static/vendor/sarabun/files
writes sarabun-thai-<weight>-normal-pdf.woff2 next to each sarabun-thai-<weight>-normal.woff2.
The result is a modified version of Sarabun under the same SIL Open Font License (the LICENSE
file next to it); its name table keeps the font's names, as the OFL allows for a font that is
not distributed on its own under a Reserved Font Name (Sarabun has none).
"""

import copy
import sys
from pathlib import Path

from fontTools.otlLib.builder import buildCoverage, buildLookup, buildSingleSubstSubtable
from fontTools.ttLib import TTFont
from fontTools.ttLib.tables import otTables

SARA_AA = "uni0E32"
SARA_AA_AM = "uni0E32.am"
TONE_MARKS = ("uni0E48", "uni0E49", "uni0E4A", "uni0E4B")


def chain_rule(backtrack: list[list[str]], glyph_map, lookup_index: int):
    """SARA AA after `backtrack` (nearest glyph first) goes through lookup `lookup_index`."""
    rule = otTables.ChainContextSubst()
    rule.Format = 3
    rule.BacktrackGlyphCount = len(backtrack)
    rule.BacktrackCoverage = [buildCoverage(glyphs, glyph_map) for glyphs in backtrack]
    rule.InputGlyphCount = 1
    rule.InputCoverage = [buildCoverage([SARA_AA], glyph_map)]
    rule.LookAheadGlyphCount = 0
    rule.LookAheadCoverage = []
    record = otTables.SubstLookupRecord()
    record.SequenceIndex = 0
    record.LookupListIndex = lookup_index
    rule.SubstCount = 1
    rule.SubstLookupRecord = [record]
    return rule


def add_sara_am_glyph(font: TTFont) -> None:
    order = font.getGlyphOrder()
    if SARA_AA_AM in order:
        raise SystemExit(f"{SARA_AA_AM} is already in the font")
    # Glyph data: a copy of SARA AA (outline, advance, side bearing; no GPOS entry uses it).
    new_order = [*order, SARA_AA_AM]
    font.setGlyphOrder(new_order)
    font["glyf"].glyphOrder = new_order
    font["glyf"][SARA_AA_AM] = copy.deepcopy(font["glyf"][SARA_AA])
    font["hmtx"][SARA_AA_AM] = font["hmtx"][SARA_AA]
    glyph_map = font.getReverseGlyphMap(rebuild=True)
    classes = font["GDEF"].table.GlyphClassDef.classDefs
    if SARA_AA in classes:
        classes[SARA_AA_AM] = classes[SARA_AA]

    # Every form of NIKHAHIT, alone or joined with a tone mark, and every form of a tone mark.
    nikhahit = sorted(name for name in order if name.startswith("uni0E4D"))
    tones = sorted(name for name in order if name.startswith(TONE_MARKS))
    gsub = font["GSUB"].table
    lookups = gsub.LookupList.Lookup
    single_index = len(lookups)
    lookups.append(buildLookup([buildSingleSubstSubtable({SARA_AA: SARA_AA_AM})]))
    chain = buildLookup(
        [
            chain_rule([nikhahit], glyph_map, single_index),
            chain_rule([tones, nikhahit], glyph_map, single_index),
        ]
    )
    chain.LookupType = 6
    lookups.append(chain)
    gsub.LookupList.LookupCount = len(lookups)
    # HarfBuzz applies a stage's lookups in list order: this one comes after the font's own.
    for record in gsub.FeatureList.FeatureRecord:
        if record.FeatureTag == "ccmp":
            record.Feature.LookupListIndex.append(single_index + 1)
            record.Feature.LookupCount = len(record.Feature.LookupListIndex)


def main(directory: str) -> None:
    sources = sorted(Path(directory).glob("sarabun-thai-*-normal.woff2"))
    if not sources:
        raise SystemExit(f"no sarabun-thai-*-normal.woff2 in {directory}")
    for source in sources:
        font = TTFont(source, recalcTimestamp=False)  # the same bytes on every run
        add_sara_am_glyph(font)
        target = source.with_name(source.name.replace(".woff2", "-pdf.woff2"))
        font.flavor = "woff2"
        font.save(target)
        print(f"  {target.name}  (from {source.name}: + {SARA_AA_AM} for SARA AM)")


if __name__ == "__main__":
    main(sys.argv[1])
