"""A news story in four documents and one unrelated story, written for the direction tests
(issue 19): an English story (the original), its complete Arabic translation, an Arabic report that
keeps about half of it out of order and changes four figures (384→420 dead, 540→600 injured,
16,700→17,500 evacuated, 2.4 million→3 million without power), and an English wire excerpt that
keeps the original figures.

No document states a date, a translation marker or an attribution that says which came first."""

from __future__ import annotations

from pathlib import Path

STORY_EN = [
    "A powerful earthquake struck the mountainous north-west of the country on Sunday morning, killing at least 384 people, officials said.",
    "The magnitude 6.8 quake hit at 04:12 local time, when most residents were asleep in their homes.",
    "Its epicentre was about 70 kilometres south of the provincial capital, at a depth of 18 kilometres, according to the national seismology centre.",
    "Civil defence chief Karim Haddad told reporters that 540 people had been injured, many of them seriously.",
    "More than 16,700 residents of the worst-hit villages have been evacuated to temporary camps.",
    "The regional power company said 2.4 million people were left without electricity after the tremor damaged two substations.",
    "Rescue teams worked through the night with bulldozers and bare hands to reach people trapped under collapsed buildings.",
    "\"We can still hear voices under the rubble, so we will not stop,\" said Layla Mansour, a volunteer with the Red Crescent.",
    "At least 12 aftershocks were recorded in the hours after the main quake, the strongest of magnitude 5.1.",
    "The government declared three days of national mourning and sent army helicopters to deliver tents and blankets.",
    "Roads leading to several mountain villages were blocked by landslides, slowing the arrival of aid.",
    "Hospitals in the provincial capital appealed for blood donations as wards filled with the wounded.",
    "Prime Minister Samir Nadim visited the town of Qasr al-Jabal on Sunday afternoon and promised to rebuild every destroyed home.",
    "The United Nations said it was ready to send a team of experts and emergency supplies within 48 hours.",
    "Neighbouring countries offered search-and-rescue teams and sniffer dogs.",
    "Many of the houses in the area were built of mud brick and stone, which offers little protection against strong shaking.",
    "Seismologists have long warned that the region sits on an active fault line that last produced a major quake in 1962.",
    "That earthquake killed more than 1,200 people and destroyed dozens of villages.",
    "Schools across the province will remain closed for at least a week while engineers inspect the buildings.",
    "Officials warned that the death toll was likely to rise as rescuers reached remote areas.",
]

STORY_AR = [
    "ضرب زلزال قوي شمال غرب البلاد الجبلي صباح يوم الأحد، ما أسفر عن مقتل 384 شخصا على الأقل، بحسب ما أفاد مسؤولون.",
    "ووقع الزلزال الذي بلغت قوته 6.8 درجات في الساعة 04:12 بالتوقيت المحلي، حين كان معظم السكان نائمين في منازلهم.",
    "وكان مركزه على بعد نحو 70 كيلومترا جنوب عاصمة الإقليم، وعلى عمق 18 كيلومترا، وفقا للمركز الوطني لرصد الزلازل.",
    "وقال رئيس الدفاع المدني كريم حداد للصحفيين إن 540 شخصا أصيبوا بجروح، كثير منهم في حالة خطيرة.",
    "وتم إجلاء أكثر من 16700 من سكان القرى الأكثر تضررا إلى مخيمات مؤقتة.",
    "وقالت شركة الكهرباء الإقليمية إن 2.4 مليون شخص باتوا بلا كهرباء بعد أن ألحقت الهزة أضرارا بمحطتين فرعيتين.",
    "وعملت فرق الإنقاذ طوال الليل بالجرافات وبأيديها العارية للوصول إلى أشخاص محاصرين تحت المباني المنهارة.",
    "وقالت ليلى منصور، وهي متطوعة في الهلال الأحمر: «ما زلنا نسمع أصواتا تحت الأنقاض، لذلك لن نتوقف».",
    "وسجلت 12 هزة ارتدادية على الأقل في الساعات التي تلت الزلزال الرئيسي، وبلغت قوة أشدها 5.1 درجات.",
    "وأعلنت الحكومة الحداد الوطني ثلاثة أيام وأرسلت مروحيات عسكرية لإيصال الخيام والبطانيات.",
    "وأغلقت الانهيارات الأرضية الطرق المؤدية إلى عدد من القرى الجبلية، ما أبطأ وصول المساعدات.",
    "وناشدت المستشفيات في عاصمة الإقليم المواطنين التبرع بالدم مع امتلاء أقسامها بالجرحى.",
    "وزار رئيس الوزراء سمير نديم بلدة قصر الجبل بعد ظهر يوم الأحد، ووعد بإعادة بناء كل منزل مدمر.",
    "وقالت الأمم المتحدة إنها مستعدة لإرسال فريق من الخبراء وإمدادات طارئة خلال 48 ساعة.",
    "وعرضت الدول المجاورة إرسال فرق بحث وإنقاذ وكلاب مدربة على رصد الناجين.",
    "وكثير من المنازل في المنطقة مبنية من الطوب اللبن والحجارة، وهي توفر حماية ضئيلة من الهزات القوية.",
    "وطالما حذر علماء الزلازل من أن المنطقة تقع على خط صدع نشط تسبب آخر مرة في زلزال كبير عام 1962.",
    "وأودى ذلك الزلزال بحياة أكثر من 1200 شخص ودمر عشرات القرى.",
    "وستبقى المدارس في أنحاء الإقليم مغلقة لمدة أسبوع على الأقل ريثما يفحص المهندسون المباني.",
    "وحذر المسؤولون من أن عدد القتلى مرشح للارتفاع مع وصول رجال الإنقاذ إلى المناطق النائية.",
]

# The report: eleven of the translation's sentences, out of order, four of them with other figures,
# and a sentence of its own.
CHANGED = {0: ("384", "420"), 3: ("540 شخصا", "600 شخص"), 4: ("16700", "17500"), 5: ("2.4 مليون", "3 ملايين")}
REPORT_ORDER = [0, 3, 9, 4, 6, 5, 12, 1, 15, 13, 19]


def _report() -> list[str]:
    out = []
    for i in REPORT_ORDER:
        s = STORY_AR[i]
        if i in CHANGED:
            s = s.replace(*CHANGED[i])
        out.append(s)
    out.insert(8, "ويعد هذا الزلزال الأعنف الذي تشهده المنطقة منذ عقود، وفق خبراء محليين.")
    return out


REPORT_AR = _report()
WIRE_EN = [STORY_EN[i] for i in (0, 3, 4, 5, 6, 7, 12, 19)]
UNRELATED_EN = [
    "The central bank left its main interest rate unchanged at 5.25 percent on Wednesday, as expected by most economists.",
    "Policymakers said inflation had eased for a fourth month in a row but remained above the bank's target.",
    "The governor told a news conference that rates would stay high until price growth slowed further.",
    "Markets reacted calmly, with the currency little changed against the dollar by the afternoon.",
    "Business groups had called for a cut to support manufacturers hit by weak export demand.",
    "The next rate decision is due in six weeks, after new figures on wages and consumer prices.",
]

FILES = {"quake_en.txt": STORY_EN, "quake_ar.txt": STORY_AR, "report_ar.txt": REPORT_AR,
         "wire_en.txt": WIRE_EN, "bank_en.txt": UNRELATED_EN}


def write(folder: Path) -> dict[str, Path]:
    """The five files, one sentence a line, in `folder`; their paths by name."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, lines in FILES.items():
        paths[name] = folder / name
        paths[name].write_text("\n".join(lines) + "\n", encoding="utf-8")
    return paths
