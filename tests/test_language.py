from sourcetrace.text.language import detect, script_profile, sentence_language


def test_script_profile_counts_letters_not_digits_or_punctuation():
    p = script_profile("مرحبا ٤٥، Hello 123!")
    assert p.arabic == 5
    assert p.latin == 5
    assert p.dominant in ("arabic", "latin")
    assert script_profile("123 ،.").dominant is None


def test_detect_languages():
    assert detect("The ministers met virtually today to reaffirm their shared determination.") == "en"
    assert detect("عقد وزراء الخارجية اجتماعا افتراضيا لإعادة تأكيد عزمهم المشترك على مواصلة العمل.") == "ar"
    assert detect("Les ministres se sont réunis aujourd'hui pour réaffirmer leur détermination commune.") == "fr"
    assert detect("وزیران امروز برای تأکید دوباره بر عزم مشترک خود دیدار کردند و گفتگو کردند.") == "fa"
    assert detect("") == "und"
    assert detect("12 345") == "und"


def test_sentence_language_follows_script():
    assert sentence_language("قال الوزير إن الاجتماع كان مثمرا.", "ar") == "ar"
    assert sentence_language("The Secretary thanked the minister for hosting the meeting.", "ar") == "en"
    assert sentence_language("2020", "ar") == "ar"
