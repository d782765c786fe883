import pytest

from sourcetrace.segment.dateline import find_date


@pytest.mark.parametrize(("text", "iso"), [
    ("June 4, 2020", "2020-06-04"),
    ("WASHINGTON, June 4, 2020 — The Ministers", "2020-06-04"),
    ("4 June 2020", "2020-06-04"),
    ("the 4th of June 2020", "2020-06-04"),
    ("Sept. 30, 2021", "2021-09-30"),
    ("4 حزيران/يونيو 2020", "2020-06-04"),
    ("١٢ آذار/مارس ٢٠٢٥", "2025-03-12"),
    ("6 شباط/فبراير 2019", "2019-02-06"),
    ("14 تشرين الثاني/نوفمبر 2019", "2019-11-14"),
    ("الخميس 4 يوينو 2020", "2020-06-04"),  # a misspelling seen on real pages
    ("2021-03-30", "2021-03-30"),
])
def test_full_dates(text, iso):
    assert find_date(text) == iso


@pytest.mark.parametrize("text", ["14 نوفمبر/تشرين الثاني", "June 2020", "31 February", "no date here", "2020"])
def test_partial_or_no_dates_are_not_guessed(text):
    assert find_date(text) is None


def test_first_date_wins():
    assert find_date("March 1, 2024 and then April 2, 2025") == "2024-03-01"
