"""Text that sits where a value would but is not one: references to another invoice, logo
alt text, courtesy sentences.

>>> is_other_invoice_reference("Facture associée : FA-2019-001 du 12/03/2019")
True
>>> is_courtesy("Thank you for your business!")
True
>>> is_logo_text("LOGO LE FOURNISSEUR")
True
"""

from __future__ import annotations

import re

from tasks.invoices.labels import fold

#: Words that make a line about another invoice than the one being read.
_OTHER_INVOICE = re.compile(
    r"\b(?:associated|related|original|referenced|reference|preceding|previous|corrected|"
    r"cancelled|credited|corrects|refers to|relating to)\s+(?:invoice|inv\b)"
    r"|\bfacture\s+(?:associee|d'origine|initiale|de reference|rectifiee|annulee|precedente)"
    r"|\b(?:ursprungs|bezugs|original|storno|vor|referenz)rechnung\b"
    r"|\b(?:zugehorige|ursprungliche|korrigierte|stornierte|bezug(?:nehmend)?(?:\s+auf)?)\s+"
    r"(?:die\s+)?rechnung\b"
    r"|\bzu(?:r)?\s+rechnung\b"
    r"|\b(?:oorspronkelijke|originele|gerelateerde|bijbehorende)\s+factuur\b"
    r"|\bfactuur\s*ref"
    r"|\bfactura\s+(?:original|rectificada|relacionada|asociada|de referencia)\b"
    r"|\bfattura\s+(?:originale|di riferimento|collegata|associata|rettificata)\b"
    r"|\brif(?:erimento)?\.?\s+fattura\b"
    # "Credit note for invoice 4711", "Avoir sur facture", "Rectifica la factura"
    r"|\b(?:credit(?:\s+note)?|refund)\s+(?:for|on|against)\s+(?:the\s+)?invoice\b"
    r"|\bavoir\s+(?:sur|pour|relatif a)\s+(?:la\s+)?facture\b"
    r"|\b(?:rectifica|anula|abona)\s+(?:la\s+)?factura\b"
    r"|\bnota di credito\s+(?:sulla|per la|relativa alla)\s+fattura\b"
    r"|\bcreditnota\s+(?:voor|bij|op)\s+factuur\b"
)
#: Courtesy and instruction words that start or fill a sentence, never a party's name.
_COURTESY = re.compile(
    r"\b(?:thank|thanks|please|regards|sincerely|merci|veuillez|cordialement|remerc\w*|danke|"
    r"vielen dank|bitte|mit freundlichen|grazie|cordiali|distinti saluti|gracias|atentamente|"
    r"saludos|bedankt|dank u|dank je|met vriendelijke|gelieve|kindly|we appreciate)\b"
)
_LOGO = re.compile(r"\b(?:logo|image|img|picture|bild|imagen|immagine|afbeelding)\b")


def is_other_invoice_reference(text: str) -> bool:
    return _OTHER_INVOICE.search(fold(text)) is not None


def is_courtesy(text: str) -> bool:
    """A sentence of courtesy or instruction (not a name): courtesy words, or many words
    ending with sentence punctuation."""
    folded = fold(text)
    if _COURTESY.search(folded):
        return True
    words = folded.split()
    return len(words) >= 6 and folded.rstrip()[-1:] in ".!?"


def is_logo_text(text: str) -> bool:
    return _LOGO.search(fold(text)) is not None
