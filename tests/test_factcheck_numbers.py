"""Numbers, number words, money and percentages in English and Arabic (factcheck/numbers.py).

Each example: a sentence and the quantities it states, as (text of the span, type, value).
Sentences are written for these tests.
"""

from __future__ import annotations

import pytest

from sourcetrace.factcheck import extract

QUANTITY_TYPES = ("number", "money", "percent")

EN: list[tuple[str, list[tuple[str, str, object]]]] = [
    # digits and separators
    ("The camp holds 2254 families.", [("2254", "number", 2254)]),
    ("Some 8,000,000 people live there.", [("8,000,000", "number", 8000000)]),
    ("A total of 12,500 tents arrived.", [("12,500", "number", 12500)]),
    ("Inflation reached 2.5 points.", [("2.5", "number", 2.5)]),
    ("They counted 0.75 of the ballots.", [("0.75", "number", 0.75)]),
    ("The team has 11 players.", [("11", "number", 11)]),
    ("Only 3 of the 40 wells work.", [("3", "number", 3), ("40", "number", 40)]),
    ("Between 5 and 10 trucks crossed.", [("5", "number", 5), ("10", "number", 10)]),
    ("Prices rose 5-10 points.", [("5", "number", 5), ("10", "number", 10)]),
    ("Room 101 was sealed.", [("101", "number", 101)]),
    ("He won 1,234,567 votes.", [("1,234,567", "number", 1234567)]),
    ("It was 17 degrees.", [("17", "number", 17)]),
    # digits with a scale
    ("Nearly 8 million people were displaced.", [("8 million", "number", 8000000)]),
    ("About 2.5 million children are at risk.", [("2.5 million", "number", 2500000)]),
    ("The region has 1.2 billion inhabitants.", [("1.2 billion", "number", 1200000000)]),
    ("They planted 40 thousand trees.", [("40 thousand", "number", 40000)]),
    ("Debt stands at 3 trillion.", [("3 trillion", "number", 3000000000000)]),
    ("Exports fell by 4bn last season.", [("4bn", "number", 4000000000)]),
    # number words
    ("Nearly eight million people were freed.", [("eight million", "number", 8000000)]),
    ("Twenty-five ministers attended.", [("Twenty-five", "number", 25)]),
    ("They met with twenty five delegates.", [("twenty five", "number", 25)]),
    ("One hundred and twenty trucks arrived.", [("One hundred and twenty", "number", 120)]),
    ("The convoy had three hundred vehicles.", [("three hundred", "number", 300)]),
    ("A million people marched.", [("A million", "number", 1000000)]),
    ("Two thousand five hundred houses were rebuilt.", [("Two thousand five hundred", "number", 2500)]),
    ("Seven soldiers were injured.", [("Seven", "number", 7)]),
    ("The two sides agreed.", [("two", "number", 2)]),
    ("It took twelve years.", [("twelve", "number", 12)]),
    ("Nineteen schools reopened.", [("Nineteen", "number", 19)]),
    ("Ninety-nine percent of them voted.", [("Ninety-nine percent", "percent", 99)]),
    ("Forty thousand people fled.", [("Forty thousand", "number", 40000)]),
    ("Six million doses were sent.", [("Six million", "number", 6000000)]),
    ("Three billion dollars were pledged.", [("Three billion dollars", "money", "3000000000 USD")]),
    ("One of the delegates left.", []),
    ("No one was hurt.", []),
    ("Hundreds of people gathered.", []),
    ("It was the fourth meeting.", []),
    ("It was the 4th meeting.", []),
    ("The COVID-19 crisis slowed the work.", []),
    ("An F-16 crashed near the G20 venue.", []),
    # money
    ("The plan costs $5 million.", [("$5 million", "money", "5000000 USD")]),
    ("The plan costs $5m.", [("$5m", "money", "5000000 USD")]),
    ("A grant of $3bn was approved.", [("$3bn", "money", "3000000000 USD")]),
    ("It pledged US$120 to each family.", [("US$120", "money", "120 USD")]),
    ("The bill is $1,250.", [("$1,250", "money", "1250 USD")]),
    ("The fine was €300.", [("€300", "money", "300 EUR")]),
    ("Tickets cost £15.", [("£15", "money", "15 GBP")]),
    ("They raised 5 million dollars.", [("5 million dollars", "money", "5000000 USD")]),
    ("They raised five million dollars.", [("five million dollars", "money", "5000000 USD")]),
    ("They gave 200 US dollars each.", [("200 US dollars", "money", "200 USD")]),
    ("The aid totals 40 million euros.", [("40 million euros", "money", "40000000 EUR")]),
    ("Bread costs 2,000 Syrian pounds.", [("2,000 Syrian pounds", "money", "2000 SYP")]),
    ("The loan is 3.5 billion USD.", [("3.5 billion USD", "money", "3500000000 USD")]),
    ("He paid 50 pounds.", [("50 pounds", "money", "50 GBP")]),
    ("It costs 10 dollars.", [("10 dollars", "money", "10 USD")]),
    ("It costs ten dollars.", [("ten dollars", "money", "10 USD")]),
    # percentages
    ("Turnout was 45%.", [("45%", "percent", 45)]),
    ("Turnout was 45 percent.", [("45 percent", "percent", 45)]),
    ("Turnout was 45 per cent.", [("45 per cent", "percent", 45)]),
    ("Growth slowed to 2.5%.", [("2.5%", "percent", 2.5)]),
    ("Fifty percent of the budget went to food.", [("Fifty percent", "percent", 50)]),
    ("Unemployment rose from 10% to 12%.", [("10%", "percent", 10), ("12%", "percent", 12)]),
    ("Only 3 percent of the 200 schools reopened.", [("3 percent", "percent", 3), ("200", "number", 200)]),
]

AR: list[tuple[str, list[tuple[str, str, object]]]] = [
    # digits: ASCII, Arabic-Indic, separators
    ("تضم المخيمات 2254 عائلة.", [("2254", "number", 2254)]),
    ("تضم المخيمات ٢٢٥٤ عائلة.", [("٢٢٥٤", "number", 2254)]),
    ("يعيش هناك 8,000,000 شخص.", [("8,000,000", "number", 8000000)]),
    ("يعيش هناك ٨٬٠٠٠٬٠٠٠ شخص.", [("٨٬٠٠٠٬٠٠٠", "number", 8000000)]),
    ("بلغ المؤشر ٢٫٥ نقطة.", [("٢٫٥", "number", 2.5)]),
    ("بلغ المؤشر 2.5 نقطة.", [("2.5", "number", 2.5)]),
    ("وصل ١٢ وزيرا.", [("١٢", "number", 12)]),
    ("وصلت 40 شاحنة إلى المعبر.", [("40", "number", 40)]),
    ("عبرت بين 5 و10 شاحنات.", [("5", "number", 5), ("10", "number", 10)]),
    ("وفود الدول الأعضاء الـ17 جميعها.", [("17", "number", 17)]),
    ("وفود الدول الأعضاء ال17.", [("17", "number", 17)]),
    ("يعمل 3 من أصل 40 بئرا.", [("3", "number", 3), ("40", "number", 40)]),
    ("حصل على ١٬٢٣٤٬٥٦٧ صوتا.", [("١٬٢٣٤٬٥٦٧", "number", 1234567)]),
    ("سجلت الوزارة ۱۵ إصابة.", [("۱۵", "number", 15)]),
    # digits with a scale
    ("نزح نحو 8 ملايين شخص.", [("8 ملايين", "number", 8000000)]),
    ("نزح نحو ٨ ملايين شخص.", [("٨ ملايين", "number", 8000000)]),
    ("يواجه 2.5 مليون طفل الخطر.", [("2.5 مليون", "number", 2500000)]),
    ("زرعوا 40 ألف شجرة.", [("40 ألف", "number", 40000)]),
    ("يبلغ عدد السكان 1.2 مليار نسمة.", [("1.2 مليار", "number", 1200000000)]),
    ("وصل 3 آلاف لاجئ.", [("3 آلاف", "number", 3000)]),
    ("بلغ الدين 3 تريليون.", [("3 تريليون", "number", 3000000000000)]),
    # number words
    ("تم تحرير ثمانية ملايين شخص.", [("ثمانية ملايين", "number", 8000000)]),
    ("حضر خمسة وعشرون وزيرا.", [("خمسة وعشرون", "number", 25)]),
    ("التقى بخمسة وعشرين مندوبا.", [("خمسة وعشرين", "number", 25)]),
    ("وصلت مئة وعشرون شاحنة.", [("مئة وعشرون", "number", 120)]),
    ("وصلت مائة وعشرون شاحنة.", [("مائة وعشرون", "number", 120)]),
    ("ضمت القافلة ثلاثمائة مركبة.", [("ثلاثمائة", "number", 300)]),
    ("ضمت القافلة ثلاثمئة مركبة.", [("ثلاثمئة", "number", 300)]),
    ("ضمت القافلة ثلاث مئة مركبة.", [("ثلاث مئة", "number", 300)]),
    ("أعيد بناء ألفين وخمسمائة منزل.", [("ألفين وخمسمائة", "number", 2500)]),
    ("أصيب سبعة جنود.", [("سبعة", "number", 7)]),
    ("استغرق الأمر اثني عشر عاما.", [("اثني عشر", "number", 12)]),
    ("أعيد فتح ثلاث عشرة مدرسة.", [("ثلاث عشرة", "number", 13)]),
    ("فر أربعون ألف شخص.", [("أربعون ألف", "number", 40000)]),
    ("أرسلت ستة ملايين جرعة.", [("ستة ملايين", "number", 6000000)]),
    ("فر مليونا شخص.", [("مليونا", "number", 2000000)]),
    ("فر مليونان من السكان.", [("مليونان", "number", 2000000)]),
    ("وصل ألفا متطوع.", [("ألفا", "number", 2000)]),
    ("وصل ثلاثة آلاف متطوع.", [("ثلاثة آلاف", "number", 3000)]),
    ("وثلاثة آلاف متطوع وصلوا.", [("ثلاثة آلاف", "number", 3000)]),
    ("يحتاج إلى مليون طن.", [("مليون", "number", 1000000)]),
    ("عقدت الدول اجتماعا واحدا.", []),
    ("أحد المندوبين غادر.", []),
    ("اجتمع العشرات في الساحة.", []),
    ("تسببت أزمة كوفيد-19 في التأخير.", []),
    ("عقد الاجتماع الرابع.", []),
    # money
    ("تبلغ الكلفة 5 ملايين دولار.", [("5 ملايين دولار", "money", "5000000 USD")]),
    ("تبلغ الكلفة خمسة ملايين دولار.", [("خمسة ملايين دولار", "money", "5000000 USD")]),
    ("تبلغ الكلفة ٥ ملايين دولار أمريكي.", [("٥ ملايين دولار أمريكي", "money", "5000000 USD")]),
    ("خصصت الحكومة 120 مليون دولار.", [("120 مليون دولار", "money", "120000000 USD")]),
    ("تبرعت بمبلغ 300 يورو.", [("300 يورو", "money", "300 EUR")]),
    ("بلغ سعر الخبز 2000 ليرة سورية.", [("2000 ليرة سورية", "money", "2000 SYP")]),
    ("دفع 50 ألف دينار عراقي.", [("50 ألف دينار عراقي", "money", "50000 IQD")]),
    ("بلغت المنحة مليار دولار.", [("مليار دولار", "money", "1000000000 USD")]),
    ("بلغت المنحة ثلاثة مليارات دولار.", [("ثلاثة مليارات دولار", "money", "3000000000 USD")]),
    ("رصدت 40 مليون يورو للمشروع.", [("40 مليون يورو", "money", "40000000 EUR")]),
    ("دفع 500 جنيه مصري.", [("500 جنيه مصري", "money", "500 EGP")]),
    ("دفع 75 ريالا.", [("75 ريالا", "money", "75 SAR")]),
    ("بلغ القرض $3.5 مليار.", [("$3.5 مليار", "money", "3500000000 USD")]),
    ("كلف 10 دولارات فقط.", [("10 دولارات", "money", "10 USD")]),
    # percentages
    ("بلغت نسبة المشاركة 45%.", [("45%", "percent", 45)]),
    ("بلغت نسبة المشاركة ٤٥٪.", [("٤٥٪", "percent", 45)]),
    ("بلغت نسبة المشاركة 45 في المئة.", [("45 في المئة", "percent", 45)]),
    ("بلغت نسبة المشاركة 45 في المائة.", [("45 في المائة", "percent", 45)]),
    ("ارتفع بنسبة 2.5 بالمئة.", [("2.5 بالمئة", "percent", 2.5)]),
    ("ارتفع بنسبة خمسين في المئة.", [("خمسين في المئة", "percent", 50)]),
    ("ارتفعت البطالة من 10% إلى 12%.", [("10%", "percent", 10), ("12%", "percent", 12)]),
    ("بلغت النسبة ٪45 في المدينة.", [("٪45", "percent", 45)]),
    ("ارتفعت بنسبة 30 بالمائة.", [("30 بالمائة", "percent", 30)]),
]


def _quantities(text: str, lang: str) -> list[tuple[str, str, object]]:
    return [(text[f.start:f.end], f.type, f.value) for f in extract(text, lang) if f.type in QUANTITY_TYPES]


@pytest.mark.parametrize(("text", "expected"), EN)
def test_english_quantities(text: str, expected: list) -> None:
    assert _quantities(text, "en") == expected


@pytest.mark.parametrize(("text", "expected"), AR)
def test_arabic_quantities(text: str, expected: list) -> None:
    assert _quantities(text, "ar") == expected


def test_values_are_plain_json_types() -> None:
    for text, lang in (("8 million", "en"), ("٢٫٥ مليون", "ar"), ("$5m", "en")):
        for f in extract(text, lang):
            assert isinstance(f.value, int | float | str)


# Clock times are no quantities (issue 19: "5.30pm" was the number 5.3); the figures beside them stay.
CLOCKS: list[tuple[str, str, list[tuple[str, str, object]]]] = [
    ("The vigil starts at 5.30pm in the square.", "en", []),
    ("Flights resume at 17:30 with 12 planes.", "en", [("12", "number", 12)]),
    ("The curfew begins at 5:30 p.m. and 40 shops closed.", "en", [("40", "number", 40)]),
    ("Polls open at 7 am and close at 9.45 PM.", "en", []),
    ("Inflation reached 5.30 points.", "en", [("5.30", "number", 5.3)]),  # no clock word: a figure
    ("يبدأ حظر التجول الساعة 5:30 مساءً في المدينة.", "ar", []),
    ("انطلقت القافلة عند 5.30 صباحاً وضمت 40 شاحنة.", "ar", [("40", "number", 40)]),
    ("انطلقت القافلة الساعة ٥٫٣٠ صباحاً.", "ar", []),
    ("وصل الوفد في الساعة 9 صباحا ومعه 3 خبراء.", "ar", [("3", "number", 3)]),
]


@pytest.mark.parametrize(("text", "lang", "expected"), CLOCKS)
def test_clock_times_are_no_numbers(text: str, lang: str, expected: list) -> None:
    assert _quantities(text, lang) == expected


def test_tokens_skipped_cannot_begin_a_quantity() -> None:
    """find_quantities skips the tokens _may_start rejects: _read finds nothing at any of them, over
    every example sentence here (both languages, money, percentages, number words)."""
    from sourcetrace.factcheck import numbers
    from sourcetrace.text.arabic import DIGITS

    texts = [t for t, _ in EN] + [t for t, _ in AR] + [
        "A hundred and twenty-five trucks, a thousand tents, an estimated $5bn, US$ 3m, £ 40, "
        "twenty-five percent; «وثلاثة آلاف و٪45 ليرة» «لست» «بخمسة ملايين دولار»"]
    skipped = 0
    for text in texts:
        text = text.translate(DIGITS)
        toks, _ = numbers._read_tokens(text)
        for i, tok in enumerate(toks.text):
            if not numbers._may_start(tok):
                skipped += 1
                assert numbers._read(text, toks, i) is None, (text, tok)
    assert skipped > 100


def test_glued_fast_path_agrees_with_the_patterns() -> None:
    """_glued answers a digit after a space at once; anything else goes through its patterns, which
    take digits at a line's start after a word ending the line before as glued (_LETTER_BEFORE's $
    matches before a newline): the fast path must not change that."""
    from sourcetrace.factcheck import numbers

    for text, glued in (("Syria 12", False), ("Syria\n12", True), ("G20", True), ("\n12", False),
                        ("و12", False), ("x-12", True), ("a\t12", False)):
        start = next(i for i, c in enumerate(text) if c.isdigit())
        assert numbers._glued(text, start) is glued, text
