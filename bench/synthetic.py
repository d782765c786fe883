"""A synthetic corpus of Arabic and English statements and reports, for benchmarks.

Sentences come from bilingual templates (`_TEMPLATES`, each with a paraphrase) filled from the
phrase table in `phrase_table.py`: topic-specific noun phrases, problems, verbs and goals, fictional
officials, organisations and places, numbers (digits on both sides) and dates. A document keeps to
one topic, so unrelated documents share little vocabulary; its Arabic translation is the same
template sentences rendered in Arabic, so translations are sentence for sentence.

Background text is not shared verbatim across hundreds of documents: most people, places and local
bodies are drawn from thousands generated from name parts, and each sentence words the template's
fixed words its own way (EN_WORDINGS / AR_WORDINGS in phrase_table.py), which copies keep. What
remains shared between unrelated documents of one topic is the topic's few dozen phrases: passim's
defaults (25-character n-grams in 2-100 documents, 5 shared) still pair a document with 80 others at
10,000 documents (bench/vs_passim.py).

`planted_corpus` writes a corpus with known relations (copies, near-copies, translations, derived
reports, revisions) and returns them as ground truth.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

from phrase_table import (
    AR_WORDINGS,
    EN_WORDINGS,
    FAMILY_NAMES,
    GIVEN_NAMES,
    LOCAL_ORGS,
    MONTHS,
    OFFICES,
    ORGS,
    PEOPLE,
    PLACE_PREFIXES,
    PLACE_STEMS,
    PLACES,
    SAY,
    TIMES,
    TITLES,
    TOPIC_WORDS,
    TOPICS,
)

# (subject, English, Arabic, English paraphrase, Arabic paraphrase)
_TEMPLATES: list[tuple[str, str, str, str, str]] = [
    ("P", "{P} {say} that the government would allocate {amt} million dollars to {act} {np} {T}.",
     "{sayv} {P} {sayc} الحكومة ستخصص {amt} مليون دولار ل{act} {np} {T}.",
     "The government plans to spend {amt} million dollars to {act} {np} {T}, {P} {say}.",
     "تعتزم الحكومة إنفاق {amt} مليون دولار ل{act} {np} {T}، بحسب ما {sayv} {P}."),
    ("O", "{O} announced on {D} the launch of a new programme to {act} {np} in {L}.",
     "[أعلن/أعلنت] {O} في {D} إطلاق برنامج جديد ل{act} {np} في {L}.",
     "A new programme to {act} {np} in {L} was launched on {D} by {O}.",
     "أُطلق في {D} برنامج جديد ل{act} {np} في {L} من قبل {O}."),
    ("m", "Complaints about {iss} in {L} rose by {pct} percent in {M}, according to official figures.",
     "ارتفعت الشكاوى المتعلقة ب{iss} في {L} بنسبة {pct} في المئة في {M}، وفق الأرقام الرسمية.",
     "Official figures show a {pct} percent increase in complaints about {iss} in {L} during {M}.",
     "تُظهر الأرقام الرسمية زيادة بنسبة {pct} في المئة في الشكاوى المتعلقة ب{iss} في {L} خلال {M}."),
    ("P", "{P} visited {np} in {L} on {D} and met local officials.",
     "[زار/زارت] {P} {np} في {L} في {D} [والتقى/والتقت] مسؤولين محليين.",
     "During a visit to {np} in {L} on {D}, {P} held talks with local officials.",
     "خلال زيارة إلى {np} في {L} في {D}، [أجرى/أجرت] {P} محادثات مع مسؤولين محليين."),
    ("m", "The work to {act} {np} will cost {amt} million dollars and is expected to finish {T}.",
     "ستبلغ كلفة أعمال {act} {np} {amt} مليون دولار، ومن المتوقع أن تنتهي {T}.",
     "Officials expect the {amt} million dollar project to {act} {np} to be completed {T}.",
     "يتوقع المسؤولون إنجاز مشروع {act} {np} البالغة كلفته {amt} مليون دولار {T}."),
    ("P", "{P} {say} that {iss} remained the main challenge facing {np}.",
     "{sayv} {P} {sayc} مشكلة {iss} لا تزال التحدي الرئيسي أمام {np}.",
     "According to {P}, {iss} is still the biggest problem for {np}.",
     "بحسب {P}، فإن مشكلة {iss} لا تزال أكبر عقبة أمام {np}."),
    ("m", "The ministry recorded {n} {unit} in {L} in {M}, up from {n2} a year earlier.",
     "سجلت الوزارة {n} {unit} في {L} في {M}، مقارنة مع {n2} قبل عام.",
     "A year earlier there were {n2} {unit} in {L}, compared with {n} in {M}, the ministry said.",
     "قبل عام بلغ العدد {n2} {unit} في {L}، مقارنة مع {n} في {M}، بحسب الوزارة."),
    ("m", "{ev} will be held in {L} on {D} with delegations from {n} countries.",
     "تنطلق فعاليات {ev} في {L} في {D} بمشاركة وفود من {n} دولة.",
     "Delegations from {n} countries are expected at {ev}, which opens in {L} on {D}.",
     "يُنتظر أن تشارك وفود من {n} دولة في فعاليات {ev} التي تنطلق في {L} في {D}."),
    ("O", "{O} called on citizens in {L} to report cases of {iss} to the emergency hotline.",
     "[دعا/دعت] {O} المواطنين في {L} إلى الإبلاغ عن حالات {iss} عبر الخط الساخن للطوارئ.",
     "Citizens in {L} were urged by {O} to use the emergency hotline to report {iss}.",
     "[حثّ/حثّت] {O} المواطنين في {L} على استخدام الخط الساخن للطوارئ للإبلاغ عن {iss}."),
    ("m", "The meeting in {L} ended on {D}.",
     "اختُتم الاجتماع في {L} في {D}.",
     "On {D}, the meeting in {L} came to an end.",
     "في {D}، انتهى الاجتماع في {L}."),
    ("P", "{P} {say} that the number of people benefiting from {np} had reached {n} since {M}.",
     "{sayv} {P} {sayc} عدد المستفيدين من {np} بلغ {n} شخصاً منذ {M}.",
     "Since {M}, {n} people have benefited from {np}, according to {P}.",
     "منذ {M}، استفاد {n} شخصاً من {np}، بحسب {P}."),
    ("O", "Talks between {O} and representatives from {L} on {np} will resume {T}.",
     "تُستأنف المحادثات بين {O} وممثلين عن {L} بشأن {np} {T}.",
     "{O} and representatives from {L} are set to resume their talks on {np} {T}.",
     "من المقرر أن [يستأنف/تستأنف] {O} وممثلون عن {L} محادثاتهم بشأن {np} {T}."),
    ("m", "In {L}, {iss} forced the authorities to close {np} for {n} days.",
     "في {L}، أجبرت مشكلة {iss} السلطات على إغلاق {np} لمدة {n} يوماً.",
     "The authorities in {L} closed {np} for {n} days because of {iss}.",
     "أغلقت السلطات في {L} {np} لمدة {n} يوماً بسبب {iss}."),
    ("P", "Speaking at a press conference in {L} on {D}, {P} {say} that the plan to {act} {np} was part of "
          "a wider strategy to {goal} and {goal2}.",
     "وفي مؤتمر صحفي عُقد في {L} في {D}، {sayv} {P} {sayc} خطة {act} {np} جزء من استراتيجية أوسع تهدف إلى "
     "{goal} و{goal2}.",
     "The plan to {act} {np} belongs to a broader strategy to {goal} and {goal2}, {P} told a press conference "
     "in {L} on {D}.",
     "خطة {act} {np} تندرج ضمن استراتيجية أشمل {l_goal} و{goal2}، وفق ما [قاله/قالته] {P} في مؤتمر صحفي "
     "في {L} في {D}."),
    ("O", "{O} signed an agreement with {O2} on {D} to {act} {np} in {L} and {L2}.",
     "[وقّع/وقّعت] {O} اتفاقاً مع {O2} في {D} ل{act} {np} في {L} و{L2}.",
     "Under an agreement signed on {D}, {O} and {O2} will {act} {np} in {L} and {L2}.",
     "بموجب اتفاق وُقّع في {D}، [سيعمل/ستعمل] {O} و{O2} على {act} {np} في {L} و{L2}."),
    ("P", "Work on {np} in {L} is {pct} percent complete, {P} {say} on {D}.",
     "{sayv} {P} في {D} {sayc} نسبة الإنجاز في {np} في {L} بلغت {pct} في المئة.",
     "On {D}, {P} put progress on {np} in {L} at {pct} percent.",
     "في {D}، [قدّر/قدّرت] {P} نسبة الإنجاز في {np} في {L} بـ{pct} في المئة."),
    ("m", "The budget for {np} rose from {n} million dollars in {Y} to {n2} million dollars this year.",
     "ارتفعت موازنة {np} من {n} مليون دولار في عام {Y} إلى {n2} مليون دولار هذا العام.",
     "This year {np} will receive {n2} million dollars, against {n} million dollars in {Y}.",
     "ستبلغ مخصصات {np} هذا العام {n2} مليون دولار، مقابل {n} مليون دولار في عام {Y}."),
    ("P", "{P} warned that without urgent action {iss} could spread to {L} and {L2}.",
     "[حذّر/حذّرت] {P} من أن مشكلة {iss} قد تمتد إلى {L} و{L2} ما لم تُتخذ إجراءات عاجلة.",
     "Unless urgent measures are taken, {iss} may reach {L} and {L2}, {P} warned.",
     "ما لم تُتخذ إجراءات عاجلة، فإن مشكلة {iss} قد تطال {L} و{L2}، بحسب تحذير {P}."),
    ("O", "A delegation from {O} arrived in {L} on {D} to assess {np}.",
     "وصل وفد من {O} إلى {L} في {D} لتقييم {np}.",
     "{O} sent a delegation to {L} on {D} to look into {np}.",
     "[أرسل/أرسلت] {O} وفداً إلى {L} في {D} للاطلاع على {np}."),
    ("P", "{P} chaired a meeting on {D} to discuss {iss} and ways to {act} {np}.",
     "[ترأس/ترأست] {P} في {D} اجتماعاً لبحث {iss} وسبل {act} {np}.",
     "Ways to {act} {np} and to tackle {iss} were discussed at a meeting chaired by {P} on {D}.",
     "نوقشت سبل {act} {np} ومعالجة {iss} خلال اجتماع [ترأسه/ترأسته] {P} في {D}."),
    ("O", "The new measures will help {goal}, {O} said in a statement.",
     "[قال/قالت] {O} في بيان إن الإجراءات الجديدة ستساعد على {goal}.",
     "In a statement, {O} said the new measures were designed to {goal}.",
     "[أوضح/أوضحت] {O} في بيان أن الإجراءات الجديدة تهدف إلى {goal}."),
    ("m", "According to a survey published on {D}, {pct} percent of residents in {L} are concerned about {iss}.",
     "وفقاً لاستطلاع نُشر في {D}، فإن {pct} في المئة من سكان {L} يشعرون بالقلق إزاء {iss}.",
     "A survey released on {D} found that {pct} percent of people in {L} worry about {iss}.",
     "كشف استطلاع صدر في {D} أن {pct} في المئة من سكان {L} قلقون من {iss}."),
    ("P", "{P} opened {ev} in {L} on {D}.",
     "[افتتح/افتتحت] {P} {ev} في {L} في {D}.",
     "{ev} in {L} was opened by {P} on {D}.",
     "افتُتحت فعاليات {ev} في {L} في {D} برعاية {P}."),
    ("m", "The committee will submit its final report on {np} to the Council of Ministers {T}.",
     "ستقدم اللجنة تقريرها النهائي حول {np} إلى مجلس الوزراء {T}.",
     "{T}, the committee is due to hand its final report on {np} to the cabinet.",
     "{T}، يُنتظر أن تسلم اللجنة تقريرها النهائي بشأن {np} إلى الحكومة."),
    ("O", "{O} said that {n} {unit} had been registered in {L} since the start of the year.",
     "[ذكر/ذكرت] {O} أنه تم تسجيل {n} {unit} في {L} منذ بداية العام.",
     "Since the beginning of the year, {L} has registered {n} {unit}, {O} said.",
     "منذ مطلع العام، سُجّل في {L} {n} {unit}، بحسب {O}."),
    ("m", "Residents of {L} have complained for months about {iss}, and local councillors say officials have "
          "neglected {np}.",
     "يشكو سكان {L} منذ أشهر من {iss}، ويقول أعضاء المجلس المحلي إن المسؤولين أهملوا {np}.",
     "For months, people in {L} have been complaining about {iss}, while local councillors accuse officials "
     "of neglecting {np}.",
     "منذ أشهر يشتكي الأهالي في {L} من {iss}، في حين يتهم أعضاء المجلس المحلي المسؤولين بإهمال {np}."),
    ("P", "{P} {say} that a decision on {np} would be taken before {D}.",
     "{sayv} {P} {sayc} قراراً بشأن {np} سيُتخذ قبل {D}.",
     "A decision on {np} is expected before {D}, according to {P}.",
     "من المتوقع اتخاذ قرار بشأن {np} قبل {D}، بحسب {P}."),
    ("m", "Engineers began work on {np} in {L} on {D}, and {n} workers are now on site.",
     "بدأ المهندسون العمل في {np} في {L} في {D}، ويعمل حالياً {n} عاملاً في الموقع.",
     "Work on {np} in {L} started on {D} and currently employs {n} workers.",
     "انطلقت الأعمال في {np} في {L} في {D}، ويعمل فيها حالياً {n} عاملاً."),
    ("O", "{O} denied reports that {np} would be closed.",
     "[نفى/نفت] {O} الأنباء التي تحدثت عن إغلاق {np}.",
     "Reports of the imminent closure of {np} were rejected by {O}.",
     "[رفض/رفضت] {O} التقارير التي أفادت بقرب إغلاق {np}."),
    ("m", "Under the plan, {n} {unit} will be added in {L} by {Y}.",
     "بموجب الخطة، ستتم إضافة {n} {unit} في {L} بحلول عام {Y}.",
     "The plan foresees an additional {n} {unit} in {L} by {Y}.",
     "تنص الخطة على إضافة {n} {unit} في {L} بحلول عام {Y}."),
    ("P", "{P} thanked {O} for the support given to {np} during {M}.",
     "[شكر/شكرت] {P} {O} على الدعم المقدم إلى {np} خلال {M}.",
     "{P} expressed gratitude to {O} for backing {np} in {M}.",
     "[أعرب/أعربت] {P} عن [امتنانه/امتنانها] {l_O} على دعم {np} في {M}."),
    ("m", "Spending on {np} in {L} fell by {pct} percent between {Y} and {Y2}.",
     "تراجع الإنفاق على {np} في {L} بنسبة {pct} في المئة بين عامي {Y} و{Y2}.",
     "Between {Y} and {Y2}, {L} cut its spending on {np} by {pct} percent.",
     "بين عامي {Y} و{Y2}، خُفّض الإنفاق على {np} في {L} بنسبة {pct} في المئة."),
    ("P", "{P} {say} that {n} inspectors had been sent to {L} to follow up on {iss}.",
     "{sayv} {P} {sayc} {n} مفتشاً أُرسلوا إلى {L} لمتابعة {iss}.",
     "{n} inspectors have gone to {L} to follow up on {iss}, {P} {say}.",
     "تم إرسال {n} مفتشاً إلى {L} لمتابعة {iss}، بحسب ما {sayv} {P}."),
    ("m", "Opposition deputies criticised the handling of {iss} and demanded a parliamentary inquiry into {np}.",
     "انتقد نواب المعارضة طريقة التعامل مع {iss} وطالبوا بتحقيق برلماني في {np}.",
     "Calling for a parliamentary inquiry into {np}, opposition members of parliament attacked the response "
     "to {iss}.",
     "هاجم نواب المعارضة أسلوب الاستجابة {l_iss}، مطالبين بفتح تحقيق برلماني في {np}."),
    ("O", "The project is financed by {O} with a grant of {amt} million dollars.",
     "يُموَّل المشروع من قبل {O} بمنحة قدرها {amt} مليون دولار.",
     "A {amt} million dollar grant from {O} pays for the project.",
     "تغطي منحة من {O} بقيمة {amt} مليون دولار كلفة المشروع."),
    ("P", "{P} met the ambassador of {L} on {D} to discuss cooperation on {np}.",
     "[التقى/التقت] {P} في {D} سفير {L} لبحث التعاون في مجال {np}.",
     "Cooperation on {np} was the focus of talks on {D} between {P} and the ambassador of {L}.",
     "تركزت المحادثات التي [أجراها/أجرتها] {P} في {D} مع سفير {L} على التعاون في مجال {np}."),
    ("O", "{O} published its annual report on {D}, which showed that {iss} had cost the economy {amt} million "
          "dollars.",
     "[نشر/نشرت] {O} في {D} التقرير السنوي الذي أظهر أن مشكلة {iss} كلفت الاقتصاد {amt} مليون دولار.",
     "The annual report released by {O} on {D} puts the cost of {iss} to the economy at {amt} million dollars.",
     "قدّر التقرير السنوي الصادر عن {O} في {D} كلفة {iss} على الاقتصاد بنحو {amt} مليون دولار."),
    ("m", "A spokesperson for {O} {say} that work on {np} would continue during the holidays.",
     "{sayv} متحدث باسم {O} {sayc} العمل في {np} سيستمر خلال العطلة.",
     "Work on {np} will go on through the holidays, a spokesperson for {O} {say}.",
     "سيستمر العمل في {np} خلال العطلة، وفق ما {sayv} متحدث باسم {O}."),
    ("P", "{P} called for a national dialogue on {np}, saying that {iss} required a joint response.",
     "[دعا/دعت] {P} إلى حوار وطني حول {np}، [مؤكداً/مؤكدةً] أن مشكلة {iss} تتطلب استجابة مشتركة.",
     "Saying {iss} needed a joint response, {P} urged a national dialogue on {np}.",
     "[طالب/طالبت] {P} بحوار وطني حول {np}، [معتبراً/معتبرةً] أن مشكلة {iss} تستدعي رداً مشتركاً."),
    ("P", "The ceremony in {L} was attended by {n} guests, including {P}.",
     "حضر الحفل في {L} {n} ضيفاً، بينهم {P}.",
     "{P} was among {n} guests at the ceremony in {L}.",
     "[كان/كانت] {P} بين {n} ضيفاً حضروا الحفل في {L}."),
    ("m", "Local media reported on {D} that {np} in {L} had been damaged by {iss}.",
     "أفادت وسائل إعلام محلية في {D} بتعرض {np} في {L} لأضرار جراء {iss}.",
     "{np} in {L} suffered damage from {iss}, local media said on {D}.",
     "لحقت أضرار ب{np} في {L} جراء {iss}، بحسب ما أفادت وسائل إعلام محلية في {D}."),
    ("P", "{P} {say} that {pct} percent of the budget for {Y} would go to {np}.",
     "{sayv} {P} {sayc} {pct} في المئة من موازنة عام {Y} ستُخصص {l_np}.",
     "{np} will receive {pct} percent of the {Y} budget, {P} {say}.",
     "ستذهب {pct} في المئة من موازنة عام {Y} إلى {np}، بحسب {P}."),
    ("m", "The two sides agreed to form a joint committee to {act} {np} and to meet again in {M}.",
     "اتفق الجانبان على تشكيل لجنة مشتركة ل{act} {np} وعلى الاجتماع مجدداً في {M}.",
     "A joint committee to {act} {np} will be set up, and the two sides will meet again in {M}.",
     "ستُشكل لجنة مشتركة ل{act} {np}، على أن يجتمع الجانبان مجدداً في {M}."),
    ("O", "{O} launched a website on {D} where residents of {L} can report {iss}.",
     "[أطلق/أطلقت] {O} في {D} موقعاً إلكترونياً يتيح لسكان {L} الإبلاغ عن {iss}.",
     "Residents of {L} can now report {iss} through a website that {O} launched on {D}.",
     "بات بإمكان سكان {L} الإبلاغ عن {iss} عبر موقع إلكتروني [أطلقه/أطلقته] {O} في {D}."),
    ("m", "Despite {iss}, {np} recorded {n} {unit} in {M}, the highest figure since {Y}.",
     "رغم {iss}، سُجّل في {np} {n} {unit} خلال {M}، وهو أعلى رقم منذ عام {Y}.",
     "The {n} {unit} recorded at {np} in {M} were the most since {Y}, despite {iss}.",
     "يُعد تسجيل {n} {unit} في {np} خلال {M} الأعلى منذ عام {Y}، على الرغم من {iss}."),
    ("P", "{P} is expected to visit {L} {T}.",
     "من المتوقع أن [يزور/تزور] {P} {L} {T}.",
     "{P} will travel to {L} {T}, officials said.",
     "[سيتوجه/ستتوجه] {P} إلى {L} {T}، بحسب مسؤولين."),
    ("O", "{O} said it would {act} {np} in {L} and {L2} in order to {goal}.",
     "[قال/قالت] {O} [إنه سيعمل/إنها ستعمل] على {act} {np} في {L} و{L2} بهدف {goal}.",
     "In order to {goal}, {O} intends to {act} {np} in {L} and {L2}.",
     "بهدف {goal}، [يعتزم/تعتزم] {O} {act} {np} في {L} و{L2}."),
    ("m", "Inspectors found that {pct} percent of {np} in {L} did not meet the required standards.",
     "وجد المفتشون أن {pct} في المئة من {np} في {L} لا تستوفي المعايير المطلوبة.",
     "An inspection found that {np} in {L} fell short of the required standards in {pct} percent of cases.",
     "أظهر تفتيش عدم استيفاء {np} في {L} للمعايير المطلوبة في {pct} في المئة من الحالات."),
]

# Optional clauses added at the end of a sentence (before the full stop).
_TAILS: list[tuple[str, str]] = [
    (", according to a statement issued on {D9}", "، وفق بيان صدر في {D9}"),
    (", officials in {L9} said", "، بحسب مسؤولين في {L9}"),
    (", in line with the national plan for {Y9}", "، تماشياً مع الخطة الوطنية لعام {Y9}"),
    (", in a move welcomed by {O9}", "، في خطوة لقيت ترحيباً من {O9}"),
    (", the fourth such announcement since {M9}", "، في رابع إعلان من نوعه منذ {M9}"),
    (", with support from partners in {L9} and {L8}", "، بدعم من شركاء في {L9} و{L8}"),
    (", despite objections from {O9}", "، رغم اعتراضات {O9}"),
    (", following months of consultations with {n9} local councils",
     "، بعد أشهر من المشاورات مع {n9} مجلساً محلياً"),
]

# Frames a derived report quotes a source sentence in.
_QUOTES: list[tuple[str, str]] = [
    ('The statement said: "{q}"', "وجاء في البيان: «{q}»"),
    ('The text reads: "{q}"', "ويقول النص: «{q}»"),
    ('The document also states: "{q}"', "كما ورد في الوثيقة: «{q}»"),
    ('According to the statement, "{q}"', "وبحسب البيان، «{q}»"),
]

# Headlines (short, unpunctuated): (subject, English, Arabic).
_HEADLINES: list[tuple[str, str, str]] = [
    ("O", "{O} plans to {act} {np}", "{O} [يعتزم/تعتزم] {act} {np}"),
    ("P", "{P} opens {ev} in {L}", "{P} [يفتتح/تفتتح] {ev} في {L}"),
    ("m", "New measures to tackle {iss} in {L}", "إجراءات جديدة لمواجهة {iss} في {L}"),
    ("m", "Statement on {np}", "بيان بشأن {np}"),
    ("m", "{amt} million dollars to {act} {np}", "{amt} مليون دولار ل{act} {np}"),
    ("O", "{O} warns of {iss}", "{O} [يحذر/تحذر] من {iss}"),
    ("P", "{P} on {iss} in {L}", "{P} حول {iss} في {L}"),
]

_GENDER = re.compile(r"\[([^/\]]*)/([^\]]*)\]")
_SLOT = re.compile(r"\{(\w+)\}")


def _by_gender(template: str) -> tuple[str, str]:
    return _GENDER.sub(r"\1", template), _GENDER.sub(r"\2", template)


# Compiled templates: [variant] -> (subject, English, (Arabic masculine, Arabic feminine)).
_TPL = [[(subj, en0, _by_gender(ar0)), (subj, en1, _by_gender(ar1))]
        for subj, en0, ar0, en1, ar1 in _TEMPLATES]
_TAIL = [(en, ar) for en, ar in _TAILS]
_HEAD = [(subj, en, _by_gender(ar)) for subj, en, ar in _HEADLINES]

# Word classes shared by all topics, as global lists; topic pools are index lists into them.
_CLASSES = ["np", "iss", "act", "unit", "goal", "ev"]
_WORDS: dict[str, list[tuple[str, str]]] = {c: [] for c in _CLASSES}
_POOL: dict[str, dict[str, list[int]]] = {t: {} for t in TOPICS}
for _t in TOPICS:
    for _c in _CLASSES:
        _POOL[_t][_c] = []
        for _pair in TOPIC_WORDS[_t][_c]:
            if _pair not in _WORDS[_c]:
                _WORDS[_c].append(_pair)
            _POOL[_t][_c].append(_WORDS[_c].index(_pair))
_WORDS["P"] = [(en, ar) for en, ar, _, _ in PEOPLE]
_WORDS["O"] = [(en, ar) for en, ar, _, _ in ORGS]
_WORDS["L"] = PLACES
_WORDS["T"] = TIMES
_GENDER_OF = {"P": [g for _, _, g, _ in PEOPLE], "O": [g for _, _, g, _ in ORGS]}

# Local people, places and bodies, generated from name parts (phrase_table.py): thousands of each,
# after the named officials above. _LOCAL[k] = (first index, end, share of draws).
_LOCAL: dict[str, tuple[int, int, float]] = {}


def _add_local(k: str, names: list[tuple[str, str]], share: float, genders: list[str] | None = None) -> None:
    _LOCAL[k] = (len(_WORDS[k]), len(_WORDS[k]) + len(names), share)
    _WORDS[k] = _WORDS[k] + names
    if genders is not None:
        _GENDER_OF[k] = _GENDER_OF[k] + genders


_LOCAL_PLACES = [(f"{pe} {se}" if pe else se, f"{pa} {sa}" if pa else sa)
                 for pe, pa in PLACE_PREFIXES for se, sa in PLACE_STEMS]
_LOCAL_PEOPLE = [(f"{te} {ge} {fe}", f"{(tf if g == 'f' else tm)} {ga} {fa}", g)
                 for te, tm, tf in TITLES for ge, ga, g in GIVEN_NAMES for fe, fa in FAMILY_NAMES]
_LOCAL_ORGS = [(oe.format(L=le), oa.format(L=la), g) for oe, oa, g in LOCAL_ORGS for le, la in _LOCAL_PLACES]
_add_local("L", _LOCAL_PLACES, 0.7)
_add_local("P", [(e, a) for e, a, _ in _LOCAL_PEOPLE], 0.6, [g for _, _, g in _LOCAL_PEOPLE])
_add_local("O", [(e, a) for e, a, _ in _LOCAL_ORGS], 0.4, [g for _, _, g in _LOCAL_ORGS])
for _t in TOPICS:
    _POOL[_t]["P"] = [i for i, p in enumerate(PEOPLE) if p[3] == _t]
    _POOL[_t]["O"] = [i for i, o in enumerate(ORGS) if o[3] in (_t, "")]
_NUMERIC = {"n", "pct", "amt"}
_DATES = {"D", "M", "Y"}


# The templates' fixed words that have other wordings become slots {w0}, {w1}, ... (one per
# occurrence) with their group in EN_WORDINGS / AR_WORDINGS. A sentence's English choices follow
# from its `style`; its Arabic choices from the English ones, so that `translate` (which parses the
# English back) renders the very Arabic a translation in the corpus has.
_NOT_WORD = r"[\w\u064B-\u0652]"


def _wording_re(groups: list[list[str]]) -> tuple[re.Pattern, dict[str, int]]:
    first = {}
    for g, words in enumerate(groups):
        first.setdefault(words[0], g)
    alts = "|".join(map(re.escape, sorted(first, key=len, reverse=True)))
    return re.compile(f"(?<!{_NOT_WORD})(?:{alts})(?!{_NOT_WORD})"), first


_WORDING_RE = {"en": _wording_re(EN_WORDINGS), "ar": _wording_re(AR_WORDINGS)}
_WORDINGS = {"en": EN_WORDINGS, "ar": AR_WORDINGS}


def _vary(template: str, lang: str) -> tuple[str, tuple[int, ...]]:
    """The template with each fixed word that has other wordings made a slot {wN}; the groups."""
    pattern, group_of = _WORDING_RE[lang]
    groups: list[int] = []

    def slot(m: re.Match) -> str:
        groups.append(group_of[m.group(0)])
        return "{w" + str(len(groups) - 1) + "}"

    parts, pos = [], 0
    for m in list(_SLOT.finditer(template)) + [None]:
        end = m.start() if m else len(template)
        parts.append(pattern.sub(slot, template[pos:end]))
        if m:
            parts.append(m.group(0))
            pos = m.end()
    return "".join(parts), tuple(groups)


_TPL_W = [[(_vary(en, "en"), (_vary(ar[0], "ar"), _vary(ar[1], "ar"))) for _, en, ar in variants]
          for variants in _TPL]
_TAIL_W = [(_vary(en, "en"), _vary(ar, "ar")) for en, ar in _TAIL]


def _mix(h: int, v: int) -> int:
    """A 32-bit hash step (murmur3's finaliser): cheap, and the same in every process."""
    x = (h * 0x9E3779B1 + (v + 1) * 0x85EBCA77) & 0xFFFFFFFF
    x ^= x >> 16
    x = (x * 0x85EBCA6B) & 0xFFFFFFFF
    x ^= x >> 13
    x = (x * 0xC2B2AE35) & 0xFFFFFFFF
    return x ^ (x >> 16)


def _choose(h: int, groups: tuple[int, ...], lang: str, base: int = 0) -> tuple[int, ...]:
    return tuple(_mix(h, base + j) % len(_WORDINGS[lang][g]) for j, g in enumerate(groups))


def _worded(groups: tuple[int, ...], choices: tuple[int, ...], lang: str) -> dict[str, str]:
    return {f"w{j}": _WORDINGS[lang][g][c] for j, (g, c) in enumerate(zip(groups, choices, strict=True))}


def _kind(name: str) -> str:
    return name.rstrip("0123456789")


def _prefix(p: str, ar: str) -> str:
    """Arabic proclitic ل/ب on a word: ل + ال -> لل."""
    if p == "ل" and ar.startswith("ال"):
        return "لل" + ar[2:]
    return p + ar


def _en_value(name: str, v) -> str:
    k = _kind(name)
    if k in _WORDS:
        return _WORDS[k][v][0]
    if k == "say":
        return SAY[v][0]
    if k == "D":
        return f"{MONTHS[v[1]][0]} {v[2]}, {v[0]}"
    if k == "M":
        return f"{MONTHS[v[1]][0]} {v[0]}"
    return str(v)


def _ar_values(raw: dict, gender: str) -> dict[str, str]:
    out = {}
    for name, v in raw.items():
        k = _kind(name)
        if k in _WORDS:
            ar = _WORDS[k][v][1]
            out[name] = ar
            if k in ("np", "iss", "goal", "O"):
                out["l_" + name] = _prefix("ل", ar)
        elif k == "say":
            _, vm, vf, comp = SAY[v]
            out["sayv"], out["sayc"] = (vf if gender == "f" else vm), comp
        elif k == "D":
            out[name] = f"{v[2]} {MONTHS[v[1]][1]} {v[0]}"
        elif k == "M":
            out[name] = f"{MONTHS[v[1]][1]} {v[0]}"
        else:
            out[name] = str(v)
    return out


def _gender(subj: str, raw: dict) -> str:
    return _GENDER_OF[subj][raw[subj]] if subj in _GENDER_OF else "m"


class _Sent:
    """One template sentence: template, variant (0 or 1: the paraphrase), slot values, tail, quote frame."""

    __slots__ = ("tid", "var", "raw", "tail", "quote", "style", "chosen", "_text")

    def __init__(self, tid: int, var: int, raw: dict, tail: int = -1, quote: int = -1, style: int = 0,
                 chosen: tuple[tuple[int, ...], tuple[int, ...]] | None = None):
        self.tid, self.var, self.raw, self.tail, self.quote = tid, var, raw, tail, quote
        self.style = style  # the writer's choice of wordings (a copy keeps it, so copies stay verbatim)
        self.chosen = chosen  # the English wordings (sentence, tail) when parsed back from text
        self._text: dict[str, str] = {}  # rendered text by language; copies start without it

    def copy(self, **kw) -> _Sent:
        s = _Sent(self.tid, self.var, dict(self.raw), self.tail, self.quote, self.style, self.chosen)
        for k, v in kw.items():
            setattr(s, k, v)
        return s

    def render(self, lang: str) -> str:
        text = self._text.get(lang)
        if text is None:
            text = self._text[lang] = self._render(lang)
        return text

    def _en_choices(self) -> tuple[tuple[int, ...], tuple[int, ...]]:
        if self.chosen is not None:
            return self.chosen
        (_, groups), _ = _TPL_W[self.tid][self.var]
        tail = _choose(self.style, _TAIL_W[self.tail][0][1], "en", 64) if self.tail >= 0 else ()
        return _choose(self.style, groups, "en"), tail

    def _render(self, lang: str) -> str:
        subj = _TPL[self.tid][self.var][0]
        (en, en_groups), ar = _TPL_W[self.tid][self.var]
        core_c, tail_c = self._en_choices()
        if lang == "en":
            vals = {k: _en_value(k, v) for k, v in self.raw.items()}
            core = en[:-1].format_map(vals | _worded(en_groups, core_c, "en"))
            if self.tail >= 0:
                tail, groups = _TAIL_W[self.tail][0]
                core += tail.format_map(vals | _worded(groups, tail_c, "en"))
            text = core[0].upper() + core[1:] + "."
        else:
            h = self.tid * 2 + self.var
            for c in (self.tail, *core_c, -1, *tail_c):
                h = _mix(h, c)
            g = _gender(subj, self.raw)
            vals = _ar_values(self.raw, g)
            text, groups = ar[1] if g == "f" else ar[0]
            core = text[:-1].format_map(vals | _worded(groups, _choose(h, groups, "ar"), "ar"))
            if self.tail >= 0:
                tail, groups = _TAIL_W[self.tail][1]
                core += tail.format_map(vals | _worded(groups, _choose(h, groups, "ar", 64), "ar"))
            text = core + "."
        if self.quote >= 0:
            text = _QUOTES[self.quote][0 if lang == "en" else 1].format(q=text)
        return text


def _slots(template: str) -> list[str]:
    return _SLOT.findall(template)


_EN_SLOTS = [[_slots(en) for _, en, _ in variants] for variants in _TPL]
_TAIL_SLOTS = [_slots(en) for en, _ in _TAIL]


def _draw(rng: random.Random, name: str, topic: str, year: int):
    """A raw value for slot `name` in a document on `topic` dated `year`."""
    k = _kind(name)
    if k in _LOCAL and rng.random() < _LOCAL[k][2]:
        return rng.randrange(_LOCAL[k][0], _LOCAL[k][1])
    if k in ("P", "O") and rng.random() < 0.15:
        return rng.randrange(len(_WORDS[k]))  # an official from another field
    if k in _POOL[topic]:
        return rng.choice(_POOL[topic][k])
    if k in ("L", "T"):
        return rng.randrange(len(_WORDS[k]))
    if k == "say":
        return rng.randrange(len(SAY))
    if name == "n9":
        return rng.randint(11, 60)
    if k == "n":
        return rng.randint(11, 99) if rng.random() < 0.4 else rng.randint(100, 9500)
    if k == "pct":
        return rng.randint(3, 95)
    if k == "amt":
        return rng.randint(11, 950)
    if k == "D":
        return (year, rng.randrange(12), rng.randint(1, 28))
    if k == "M":
        return (year - rng.randint(0, 1), rng.randrange(12))
    if k == "Y":
        return year - rng.randint(1, 6) if name == "Y" else year
    raise KeyError(name)


def _fill(rng: random.Random, names: list[str], topic: str, year: int, raw: dict) -> None:
    for name in names:
        if name in raw:
            continue
        if name == "Y2":
            raw[name] = raw["Y"] + rng.randint(2, 5) if "Y" in raw else year
        elif _kind(name) == "Y":
            raw[name] = year if name == "Y9" else year - rng.randint(1, 6)
        else:
            raw[name] = _draw(rng, name, topic, year)
    # two slots of a kind take different values ({L} and {L2}, {O} and {O2}, ...)
    for a, b in (("L", "L2"), ("O", "O2"), ("np", "np2"), ("goal", "goal2"), ("L9", "L8")):
        while b in raw and a in raw and raw[a] == raw[b]:
            raw[b] = _draw(rng, b, topic, year)
    if "Y" in raw and "Y2" in raw and raw["Y2"] <= raw["Y"]:
        raw["Y2"] = raw["Y"] + 2


def _sentence(rng: random.Random, topic: str, year: int, var: int = 0) -> _Sent:
    """A template sentence on `topic`, 8 to 45 English words."""
    while True:
        tid = rng.randrange(len(_TPL))
        tail = rng.randrange(len(_TAIL)) if rng.random() < 0.3 else -1
        raw: dict = {}
        _fill(rng, _EN_SLOTS[tid][0] + _EN_SLOTS[tid][1], topic, year, raw)
        if tail >= 0:
            _fill(rng, _TAIL_SLOTS[tail], topic, year, raw)
        s = _Sent(tid, var, raw, tail, style=rng.getrandbits(32))
        n = len(s.render("en").split())
        if 8 <= n <= 45:
            return s


class _Doc:
    """A document: topic, date, headline, office line and paragraphs of template sentences."""

    __slots__ = ("topic", "date", "head", "office", "paras")

    def __init__(self, topic: str, date: tuple[int, int, int], head: tuple[int, dict], office: int,
                 paras: list[list[_Sent]]):
        self.topic, self.date, self.head, self.office, self.paras = topic, date, head, office, paras

    def sentences(self) -> list[_Sent]:
        return [s for p in self.paras for s in p]

    def render(self, lang: str) -> str:
        hid, raw = self.head
        subj, en, ar = _HEAD[hid]
        y, m, d = self.date
        if lang == "en":
            h = en.format_map({k: _en_value(k, v) for k, v in raw.items()})
            head = [h[0].upper() + h[1:], OFFICES[self.office][0], f"{MONTHS[m][0]} {d}, {y}"]
        else:
            g = _gender(subj, raw)
            head = [(ar[1] if g == "f" else ar[0]).format_map(_ar_values(raw, g)), OFFICES[self.office][1],
                    f"{d} {MONTHS[m][1]} {y}"]
        body = [" ".join(s.render(lang) for s in p) for p in self.paras]
        return "\n".join(head + body) + "\n"


def _headline(rng: random.Random, topic: str, year: int) -> tuple[int, dict]:
    hid = rng.randrange(len(_HEAD))
    raw: dict = {}
    _fill(rng, _slots(_HEAD[hid][1]), topic, year, raw)
    return hid, raw


def _paragraph(rng: random.Random, topic: str, year: int) -> list[_Sent]:
    return [_sentence(rng, topic, year) for _ in range(rng.randint(2, 5))]


def _make_doc(rng: random.Random, target_chars: int, lang: str = "en", topic: str | None = None) -> _Doc:
    topic = topic or rng.choice(TOPICS)
    year = rng.randint(2015, 2025)
    date = (year, rng.randrange(12), rng.randint(1, 28))
    doc = _Doc(topic, date, _headline(rng, topic, year), rng.randrange(len(OFFICES)), [])
    size = 80
    while size < target_chars:
        para = _paragraph(rng, topic, year)
        doc.paras.append(para)
        size += sum(len(s.render(lang)) + 1 for s in para)
    return doc


def document(rng: random.Random, lang: str, target_chars: int = 2000) -> str:
    """A headline block and paragraphs on one topic, about `target_chars` long."""
    return _make_doc(rng, target_chars, lang).render(lang)


def write_corpus(root: Path, n_docs: int, seed: int = 7, target_chars: int = 1200) -> int:
    """Write about `n_docs` documents as files under root (some files hold two); returns bytes written."""
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    total, i, made = 0, 0, 0
    while made < n_docs:
        lang = "ar" if rng.random() < 0.6 else "en"
        text = document(rng, lang, target_chars)
        made += 1
        if made < n_docs and rng.random() < 0.1:  # a file holding two documents of different languages
            text += document(rng, "en" if lang == "ar" else "ar", target_chars)
            made += 1
        path = root / f"{i // 1000:03d}" / f"doc{i:06d}.txt"
        path.parent.mkdir(exist_ok=True)
        data = text.encode("utf-8")
        path.write_bytes(data)
        total += len(data)
        i += 1
    return total


# ---- translate: parse an English template sentence back into its slots, render it in Arabic ----

_PARSERS: list[tuple[re.Pattern, int, int]] | None = None
_TAIL_PARSERS: list[tuple[re.Pattern, int]] = []
_INDEX: dict[str, dict[str, int]] = {}
_MONTH_RE = "(?:" + "|".join(m for m, _ in MONTHS) + ")"


def _alternatives(words) -> str:
    return "|".join(map(re.escape, sorted(set(words), key=len, reverse=True)))


def _local_pattern(k: str) -> str:
    """Generated names as a pattern built from their parts (an alternation of all would be huge)."""
    place = f"(?:(?:{_alternatives(e for e, _ in PLACE_PREFIXES if e)}) )?(?:{_alternatives(e for e, _ in PLACE_STEMS)})"
    if k == "L":
        return place
    if k == "P":
        return (f"(?:{_alternatives(e for e, _, _ in TITLES)}) (?:{_alternatives(e for e, _, _ in GIVEN_NAMES)}) "
                f"(?:{_alternatives(e for e, _ in FAMILY_NAMES)})")
    return "|".join(re.escape(e[:e.index("{L}")]) + place + re.escape(e[e.index("{L}") + 3:]) for e, _, _ in LOCAL_ORGS)


def _slot_pattern(name: str, groups: tuple[int, ...] = ()) -> str:
    k = _kind(name)
    if k == "w":
        return f"(?P<{name}>{_alternatives(EN_WORDINGS[groups[int(name[1:])]])})"
    if k in _LOCAL:
        lo = _LOCAL[k][0]
        return f"(?P<{name}>{_alternatives(en for en, _ in _WORDS[k][:lo])}|{_local_pattern(k)})"
    if k in _WORDS:
        alts = sorted({en for en, _ in _WORDS[k]}, key=len, reverse=True)
    elif k == "say":
        alts = sorted({s[0] for s in SAY}, key=len, reverse=True)
    elif k == "D":
        return rf"(?P<{name}>{_MONTH_RE} \d{{1,2}}, \d{{4}})"
    elif k == "M":
        return rf"(?P<{name}>{_MONTH_RE} \d{{4}})"
    else:
        return rf"(?P<{name}>\d+)"
    return f"(?P<{name}>" + "|".join(map(re.escape, alts)) + ")"


def _compile(template: str, tail: bool, groups: tuple[int, ...]) -> re.Pattern:
    parts, pos = [], 0
    for m in _SLOT.finditer(template):
        parts.append(re.escape(template[pos:m.start()]))
        parts.append(_slot_pattern(m.group(1), groups))
        pos = m.end()
    parts.append(re.escape(template[pos:]))
    return re.compile("".join(parts) + ("(?P<tail>, .+)?" if tail else ""))


def _parsers() -> list[tuple[re.Pattern, int, int]]:
    """(pattern, template, variant) per English template (wordings as slots), built on first use."""
    global _PARSERS
    if _PARSERS is None:
        for k in _WORDS:
            _INDEX[k] = {}
            for i, (en, _) in enumerate(_WORDS[k]):
                _INDEX[k].setdefault(en, i)
        _INDEX["say"] = {}
        for i, s in enumerate(SAY):
            _INDEX["say"].setdefault(s[0], i)
        _INDEX["month"] = {m: i for i, (m, _) in enumerate(MONTHS)}
        _TAIL_PARSERS.extend((_compile(en, False, groups), i) for i, ((en, groups), _) in enumerate(_TAIL_W))
        _PARSERS = [(_compile(en[:-1], True, groups), tid, var)
                    for tid, variants in enumerate(_TPL_W) for var, ((en, groups), _) in enumerate(variants)]
    return _PARSERS


def _raw_of(m: re.Match, groups: tuple[int, ...]) -> tuple[dict, tuple[int, ...]]:
    """A match's slot values, and the wordings chosen for the template's fixed words."""
    raw, chosen = {}, [0] * len(groups)
    for name, text in m.groupdict().items():
        if name == "tail" or text is None:
            continue
        k = _kind(name)
        if k == "w":
            j = int(name[1:])
            chosen[j] = EN_WORDINGS[groups[j]].index(text)
            continue
        if k in _INDEX and k not in ("D", "M"):
            raw[name] = _INDEX[k][text]
        elif k == "D":
            md, y = text.rsplit(", ", 1)
            mo, d = md.split(" ")
            raw[name] = (int(y), _INDEX["month"][mo], int(d))
        elif k == "M":
            mo, y = text.split(" ")
            raw[name] = (int(y), _INDEX["month"][mo])
        else:
            raw[name] = int(text)
    return raw, tuple(chosen)


def _parse(sentence: str) -> _Sent | None:
    core = sentence.strip()
    if not core.endswith("."):
        return None
    core = core[:-1]
    for text in (core, core[:1].lower() + core[1:]):
        for pattern, tid, var in _parsers():
            m = pattern.fullmatch(text)
            if not m:
                continue
            raw, core_c = _raw_of(m, _TPL_W[tid][var][0][1])
            tail, tail_c = -1, ()
            if m.group("tail"):
                for tp, i in _TAIL_PARSERS:
                    tm = tp.fullmatch(m.group("tail"))
                    if tm:
                        tail_raw, tail_c = _raw_of(tm, _TAIL_W[i][0][1])
                        raw.update(tail_raw)
                        tail = i
                        break
                else:
                    continue
            return _Sent(tid, var, raw, tail, chosen=(core_c, tail_c))
    return None


# Fallback for text the templates did not produce: word for word through the phrase table.
_WORD_TABLE = {"the": "", "of": "من", "and": "و", "to": "إلى", "in": "في", "for": "ل", "with": "مع", "on": "على",
               "a": "", "by": "عبر", "as": "ك", "at": "عند"}


def translate(sentence: str) -> str:
    """English synthetic sentence -> Arabic: the same template and slot values rendered in Arabic."""
    s = _parse(sentence)
    if s is not None:
        return s.render("ar")
    words = []
    for w in sentence.rstrip(".!?").split():
        core = w.rstrip(",").lower()
        out = _WORD_TABLE.get(core, core)
        if out:
            words.append(out + ("،" if w.endswith(",") else ""))
    return " ".join(words) + "."


def parallel_documents(n_sentences: int, seed: int = 11, keep: float = 1.0,
                       block: int = 1) -> tuple[list[str], list[str], list[int | None]]:
    """An English document and its Arabic translation.

    The English moves from topic to topic every few sentences, as a long statement does. `keep` < 1
    drops sentences, `block` > 1 shuffles blocks of that many sentences. Returns the two sentence
    lists and, for each Arabic sentence, the index of its English source.
    """
    rng = random.Random(seed)
    sents: list[_Sent] = []
    year = rng.randint(2015, 2025)
    while len(sents) < n_sentences:
        topic = rng.choice(TOPICS)
        sents.extend(_sentence(rng, topic, year) for _ in range(min(rng.randint(3, 8), n_sentences - len(sents))))
    en = [s.render("en") for s in sents]
    order = kept_in_blocks(n_sentences, rng, keep, block)
    ar = [sents[i].render("ar") for i in order]
    return en, ar, list(order)


def kept_in_blocks(n: int, rng: random.Random, keep: float = 1.0, block: int = 1) -> list[int]:
    """Indices 0..n-1, each kept with probability `keep`, then shuffled in blocks of `block`:
    how a partial, reordered version of a document is drawn (also bench/realtext.py)."""
    order = [i for i in range(n) if rng.random() < keep]
    if block > 1:
        blocks = [order[i:i + block] for i in range(0, len(order), block)]
        rng.shuffle(blocks)
        order = [i for b in blocks for i in b]
    return order


# ---- a corpus with planted relations ----

# Relations planted per 100 documents.
PLANT_RATES = {"copy": 3, "near-copy": 3, "translation": 4, "derived": 3, "revision": 2}
_CHANGEABLE = ("np", "np2", "L", "L2", "n", "n2", "pct", "amt", "D", "M", "T", "iss", "act")


def _original(seed: int, j: int) -> tuple[_Doc, str]:
    rng = random.Random(f"{seed}:{j}")
    lang = "ar" if rng.random() < 0.6 else "en"
    size = rng.randint(1000, 2600)  # bytes of UTF-8; an Arabic character takes about 1.8
    return _make_doc(rng, int(size / 1.8) if lang == "ar" else size, lang), lang


def _redraw(rng: random.Random, s: _Sent, name: str, topic: str, year: int) -> None:
    old = s.raw[name]
    for _ in range(10):
        s.raw[name] = _draw(rng, name, topic, year)
        if s.raw[name] != old:
            break


def _copy(doc: _Doc, rng: random.Random) -> _Doc:
    """The same text; the headline or the issuing office line may differ."""
    y = doc.date[0]
    head = _headline(rng, doc.topic, y) if rng.random() < 0.4 else doc.head
    office = rng.randrange(len(OFFICES)) if rng.random() < 0.5 else doc.office
    return _Doc(doc.topic, doc.date, head, office, doc.paras)


def _near_copy(doc: _Doc, rng: random.Random) -> _Doc:
    """Some sentences dropped, some slot values (numbers, places, things, dates) changed."""
    sents = doc.sentences()
    n_drop = min(max(1, round(len(sents) * rng.uniform(0.08, 0.2))), max(0, len(sents) - 3))
    dropped = set(rng.sample(range(len(sents)), n_drop))
    paras = []
    for p in doc.paras:
        out = []
        for s in p:
            i = sents.index(s)
            if i in dropped:
                continue
            s = s.copy()
            if rng.random() < 0.7:
                names = [k for k in s.raw if k in _CHANGEABLE]
                for name in rng.sample(names, min(len(names), rng.randint(1, 2))):
                    _redraw(rng, s, name, doc.topic, doc.date[0])
            out.append(s)
        if out:
            paras.append(out)
    return _Doc(doc.topic, doc.date, doc.head, doc.office, paras)


def _derived(doc: _Doc, rng: random.Random) -> tuple[_Doc, int]:
    """A report: 2-4 sentences quoted verbatim, others paraphrased, its own sentences added."""
    sents = doc.sentences()
    year = doc.date[0]
    quoted = set(rng.sample(range(len(sents)), min(len(sents), rng.randint(2, 4))))
    items: list[_Sent] = [_sentence(rng, doc.topic, year)]
    for i, s in enumerate(sents):
        if i in quoted:
            items.append(s.copy(quote=rng.randrange(len(_QUOTES))))
        elif rng.random() < 0.5:
            items.append(s.copy(var=1 - s.var))
    for _ in range(rng.randint(2, 4)):
        items.insert(rng.randint(1, len(items)), _sentence(rng, doc.topic, year))
    paras, i = [], 0
    while i < len(items):
        k = rng.randint(2, 4)
        paras.append(items[i:i + k])
        i += k
    y, m, d = doc.date
    date = (y, m, min(28, d + rng.randint(0, 3)))
    return _Doc(doc.topic, date, _headline(rng, doc.topic, y), rng.randrange(len(OFFICES)), paras), len(quoted)


def _next_year(rng: random.Random, s: _Sent, topic: str, year: int) -> _Sent:
    s = s.copy()
    for name, v in s.raw.items():
        k = _kind(name)
        if k == "Y":
            s.raw[name] = v + 1
        elif k == "D":
            s.raw[name] = (v[0] + 1, v[1], v[2])
        elif k == "M":
            s.raw[name] = (v[0] + 1, v[1])
    for name in [n for n in s.raw if _kind(n) in _NUMERIC]:
        if rng.random() < 0.7:
            _redraw(rng, s, name, topic, year)
    return s


def _revision(doc: _Doc, rng: random.Random) -> _Doc:
    """Next year's version: the same skeleton, dates a year on, new figures, one paragraph added."""
    y, m, d = doc.date
    paras = [[_next_year(rng, s, doc.topic, y + 1) for s in p] for p in doc.paras]
    paras.insert(rng.randint(1, len(paras)), _paragraph(rng, doc.topic, y + 1))
    hid, raw = doc.head
    head = (hid, {k: (v + 1 if _kind(k) == "Y" else v) for k, v in raw.items()})
    return _Doc(doc.topic, (y + 1, m, d), head, doc.office, paras)


def planted_corpus(root: Path, n_docs: int, seed: int = 7, one_per_file: bool = False) -> dict:
    """Write about `n_docs` documents (Arabic and English, 1-3 KB) under root with planted relations.

    Per 100 documents about 3 exact copies (the headline or office line may differ), 3 near-copies
    (slot values changed, sentences dropped), 4 translations, 3 derived reports (quoting 2-4
    sentences, paraphrasing others, adding their own) and 2 revisions (next year's version); the
    rest are unrelated. About one file in ten holds two documents, in sub-directories of 1,000
    files; with `one_per_file` every document is a file of its own directly under root (what
    passim's run.sh reads), with the same texts. Returns the ground truth:
    ``{"docs": {key: {...}}, "pairs": [{"a", "b", "type", "source"}]}`` with keys
    ``"relative/path.txt#N"`` (N counts the documents in the file from 1); a document's entry gives
    its file, character span in the file, language, topic, role and sentence count.
    """
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    plan: list[str] = []
    for kind, rate in PLANT_RATES.items():
        plan += [kind] * round(n_docs * rate / 100)
    plan = plan[:max(0, n_docs - 1)]
    positions = rng.sample(range(n_docs), len(plan))
    role = ["original"] * n_docs
    for pos, kind in zip(positions, plan, strict=True):
        role[pos] = kind
    originals = [i for i in range(n_docs) if role[i] == "original"]
    source = {pos: rng.choice(originals) for pos in positions}
    # file layout: position -> key
    files: list[list[int]] = []
    i = 0
    while i < n_docs:
        if not one_per_file and i + 1 < n_docs and rng.random() < 0.1:
            files.append([i, i + 1])
            i += 2
        else:
            files.append([i])
            i += 1
    # rng draws nothing after the layout, so one_per_file changes no text
    rel_of = [f"doc{f:06d}.txt" if one_per_file else f"{f // 1000:03d}/doc{f:06d}.txt" for f in range(len(files))]
    key: dict[int, str] = {}
    for f, members in enumerate(files):
        for n, pos in enumerate(members, 1):
            key[pos] = f"{rel_of[f]}#{n}"
    docs: dict[str, dict] = {}
    pairs: list[dict] = []
    made_dirs: set[str] = set()
    for f, members in enumerate(files):
        rel = rel_of[f]
        chunks, offset = [], 0
        for pos in members:
            info: dict = {"file": rel, "role": role[pos]}
            if role[pos] == "original":
                doc, lang = _original(seed, pos)
            else:
                src, lang = _original(seed, source[pos])
                prng = random.Random(f"{seed}:plant:{pos}")
                if role[pos] == "copy":
                    doc = _copy(src, prng)
                elif role[pos] == "near-copy":
                    doc = _near_copy(src, prng)
                elif role[pos] == "translation":
                    doc, lang = src, ("en" if lang == "ar" else "ar")
                elif role[pos] == "derived":
                    doc, info["quoted"] = _derived(src, prng)
                else:
                    doc = _revision(src, prng)
                info["source"] = key[source[pos]]
                pairs.append({"a": key[source[pos]], "b": key[pos], "type": role[pos], "source": key[source[pos]]})
            text = doc.render(lang)
            info.update(lang=lang, topic=doc.topic, start=offset, end=offset + len(text),
                        sentences=len(doc.sentences()))
            docs[key[pos]] = info
            chunks.append(text)
            offset += len(text)
        d = str(Path(rel).parent)
        if d not in made_dirs:
            (root / d).mkdir(exist_ok=True)
            made_dirs.add(d)
        (root / rel).write_text("".join(chunks), encoding="utf-8")
    return {"docs": docs, "pairs": pairs}
