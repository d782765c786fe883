"""A bilingual English -> Modern Standard Arabic phrase table for the synthetic corpus.

Written for this project: every name, place and organisation is fictional. Entries are whole
phrases in the form the sentence templates of `synthetic.py` use them:

* ``np``    definite noun phrases (objects, and the second term of an Arabic idafa),
* ``iss``   problems, as noun phrases,
* ``act``   verbs: English base form <-> Arabic verbal noun (masdar), "to expand X" <-> «لتوسيع X»,
* ``unit``  counted things after a number (Arabic singular tamyiz; numbers drawn >= 11),
* ``ev``    events ("the annual water forum"),
* ``goal``  purposes: English base-form clause <-> Arabic masdar phrase, after "to"/«بهدف».

People and organisations carry their grammatical gender ("m"/"f"), which the Arabic verb agrees
with. Numbers stay digits on both sides.
"""

from __future__ import annotations

TOPICS = ["water", "health", "trade", "security", "education", "energy", "sport", "culture", "weather", "courts"]

# topic -> word class -> [(English, Arabic)]
TOPIC_WORDS: dict[str, dict[str, list[tuple[str, str]]]] = {
    "water": {
        "np": [("the water network", "شبكة المياه"), ("the desalination plant", "محطة تحلية المياه"),
               ("the northern reservoir", "الخزان الشمالي"), ("the irrigation canals", "قنوات الري"),
               ("the wastewater treatment station", "محطة معالجة مياه الصرف"),
               ("the groundwater wells", "آبار المياه الجوفية"), ("the river basin", "حوض النهر"),
               ("the household water meters", "عدادات المياه المنزلية"),
               ("the rainwater harvesting scheme", "مشروع حصاد مياه الأمطار"),
               ("the main pumping station", "محطة الضخ الرئيسية")],
        "iss": [("water shortages", "شح المياه"), ("pipe leaks", "تسرب الأنابيب"),
                ("falling groundwater levels", "تراجع منسوب المياه الجوفية"), ("river pollution", "تلوث النهر"),
                ("high water tariffs", "ارتفاع تعرفة المياه")],
        "act": [("expand", "توسيع"), ("rehabilitate", "إعادة تأهيل"), ("repair", "إصلاح"), ("monitor", "مراقبة"),
                ("modernise", "تحديث"), ("clean", "تنظيف")],
        "unit": [("cubic metres of water", "متر مكعب من المياه"), ("kilometres of pipes", "كيلومتر من الأنابيب"),
                 ("wells", "بئراً"), ("households", "أسرة")],
        "goal": [("secure drinking water for every household", "تأمين مياه الشرب لكل أسرة"),
                 ("reduce water losses", "تقليص الفاقد من المياه"),
                 ("protect farmers in the dry season", "حماية المزارعين في موسم الجفاف")],
    },
    "health": {
        "np": [("the central hospital", "المستشفى المركزي"), ("the vaccination campaign", "حملة التطعيم"),
               ("the primary care clinics", "عيادات الرعاية الأولية"), ("the emergency department", "قسم الطوارئ"),
               ("the national drug registry", "السجل الوطني للأدوية"), ("the maternity ward", "جناح الولادة"),
               ("the mobile medical units", "الوحدات الطبية المتنقلة"), ("the blood bank", "بنك الدم"),
               ("the health insurance fund", "صندوق التأمين الصحي"),
               ("the public health laboratory", "مختبر الصحة العامة")],
        "iss": [("a measles outbreak", "تفشي الحصبة"), ("a shortage of nurses", "نقص الممرضين"),
                ("long waiting times", "طول فترات الانتظار"), ("rising cases of diabetes", "ارتفاع حالات السكري"),
                ("a lack of medicines", "نقص الأدوية")],
        "act": [("equip", "تجهيز"), ("reopen", "إعادة افتتاح"), ("fund", "تمويل"), ("evaluate", "تقييم"),
                ("strengthen", "تعزيز"), ("accredit", "اعتماد")],
        "unit": [("doctors", "طبيباً"), ("hospital beds", "سريراً"), ("doses of vaccine", "جرعة من اللقاح"),
                 ("patients", "مريضاً")],
        "goal": [("reduce child mortality", "خفض وفيات الأطفال"),
                 ("ensure care in remote villages", "ضمان الرعاية في القرى النائية"),
                 ("curb the spread of infection", "الحد من انتشار العدوى")],
    },
    "trade": {
        "np": [("the free trade agreement", "اتفاقية التجارة الحرة"), ("the customs tariffs", "التعريفات الجمركية"),
               ("the northern border crossing", "المعبر الحدودي الشمالي"),
               ("the export credit programme", "برنامج ائتمان الصادرات"), ("the industrial zone", "المنطقة الصناعية"),
               ("the container port", "ميناء الحاويات"), ("the small business loans", "قروض المشاريع الصغيرة"),
               ("the import licences", "رخص الاستيراد"), ("the wholesale market", "سوق الجملة"),
               ("the trade balance", "الميزان التجاري")],
        "iss": [("falling exports", "تراجع الصادرات"), ("rising food prices", "ارتفاع أسعار الغذاء"),
                ("smuggling across the border", "التهريب عبر الحدود"), ("delays at the port", "التأخير في الميناء"),
                ("a widening trade deficit", "اتساع العجز التجاري")],
        "act": [("renegotiate", "إعادة التفاوض على"), ("simplify", "تبسيط"), ("review", "مراجعة"),
                ("liberalise", "تحرير"), ("promote", "تشجيع"), ("regulate", "تنظيم")],
        "unit": [("tonnes of wheat", "طناً من القمح"), ("containers", "حاوية"), ("companies", "شركة"),
                 ("jobs", "فرصة عمل")],
        "goal": [("double non-oil exports", "مضاعفة الصادرات غير النفطية"),
                 ("attract foreign investment", "جذب الاستثمار الأجنبي"),
                 ("stabilise consumer prices", "تثبيت أسعار المستهلك")],
    },
    "security": {
        "np": [("the border patrols", "دوريات الحدود"), ("the coast guard", "خفر السواحل"),
               ("the counter-terrorism unit", "وحدة مكافحة الإرهاب"), ("the police academy", "أكاديمية الشرطة"),
               ("the checkpoints on the main road", "الحواجز على الطريق الرئيسي"),
               ("the demining teams", "فرق إزالة الألغام"), ("the emergency operations room", "غرفة العمليات الطارئة"),
               ("the ceasefire monitoring mission", "بعثة مراقبة وقف إطلاق النار"),
               ("the arms control regime", "نظام الرقابة على الأسلحة"),
               ("the cyber defence centre", "مركز الدفاع السيبراني")],
        "iss": [("armed attacks on villages", "الهجمات المسلحة على القرى"), ("arms smuggling", "تهريب الأسلحة"),
                ("landmines left from the conflict", "الألغام المتبقية من النزاع"),
                ("cyber attacks on public institutions", "الهجمات الإلكترونية على المؤسسات العامة"),
                ("kidnappings on the highway", "عمليات الخطف على الطريق السريع")],
        "act": [("deploy", "نشر"), ("train", "تدريب"), ("reinforce", "تدعيم"), ("coordinate", "تنسيق"),
                ("reorganise", "إعادة تنظيم"), ("extend", "تمديد")],
        "unit": [("officers", "ضابطاً"), ("soldiers", "جندياً"), ("mines", "لغماً"), ("armoured vehicles", "آلية مدرعة")],
        "goal": [("restore calm in the border areas", "استعادة الهدوء في المناطق الحدودية"),
                 ("protect civilians", "حماية المدنيين"),
                 ("secure the main supply routes", "تأمين طرق الإمداد الرئيسية")],
    },
    "education": {
        "np": [("the school curriculum", "المنهج الدراسي"), ("the national examinations", "الامتحانات الوطنية"),
               ("the teacher training institute", "معهد تدريب المعلمين"), ("the public universities", "الجامعات الحكومية"),
               ("the school meals programme", "برنامج الوجبات المدرسية"), ("the scholarship fund", "صندوق المنح الدراسية"),
               ("the digital learning platform", "منصة التعليم الرقمي"), ("the kindergartens", "رياض الأطفال"),
               ("the vocational training centres", "مراكز التدريب المهني"), ("the literacy classes", "صفوف محو الأمية")],
        "iss": [("overcrowded classrooms", "اكتظاظ الفصول الدراسية"), ("school dropout", "التسرب المدرسي"),
                ("a shortage of teachers", "نقص المعلمين"), ("low reading scores", "تدني مستويات القراءة"),
                ("damaged school buildings", "تضرر المباني المدرسية")],
        "act": [("revise", "تنقيح"), ("digitise", "رقمنة"), ("renovate", "ترميم"), ("broaden", "توسيع نطاق"),
                ("support", "دعم"), ("reform", "إصلاح")],
        "unit": [("students", "طالباً"), ("teachers", "معلماً"), ("classrooms", "فصلاً دراسياً"), ("schools", "مدرسة")],
        "goal": [("raise learning outcomes", "تحسين نتائج التعلم"),
                 ("return every child to school", "إعادة كل طفل إلى المدرسة"),
                 ("prepare young people for work", "إعداد الشباب لسوق العمل")],
    },
    "energy": {
        "np": [("the national grid", "الشبكة الوطنية للكهرباء"), ("the solar park", "مجمع الطاقة الشمسية"),
               ("the wind farm", "مزرعة الرياح"), ("the gas pipeline", "خط أنابيب الغاز"),
               ("the power station", "محطة توليد الكهرباء"), ("the fuel subsidies", "دعم الوقود"),
               ("the electricity tariffs", "تعرفة الكهرباء"), ("the oil refinery", "مصفاة النفط"),
               ("the street lighting network", "شبكة الإنارة العامة"),
               ("the energy efficiency programme", "برنامج كفاءة الطاقة")],
        "iss": [("daily power cuts", "الانقطاعات اليومية للكهرباء"), ("fuel shortages", "نقص الوقود"),
                ("rising electricity bills", "ارتفاع فواتير الكهرباء"), ("losses on the grid", "الفاقد في الشبكة"),
                ("dependence on imported fuel", "الاعتماد على الوقود المستورد")],
        "act": [("build", "إنشاء"), ("connect", "ربط"), ("privatise", "خصخصة"), ("maintain", "صيانة"),
                ("replace", "استبدال"), ("restructure", "إعادة هيكلة")],
        "unit": [("megawatts", "ميغاواط"), ("barrels of oil", "برميلاً من النفط"), ("homes", "منزلاً"),
                 ("kilometres of cable", "كيلومتراً من الكابلات")],
        "goal": [("end power cuts by the summer", "إنهاء انقطاع الكهرباء بحلول الصيف"),
                 ("cut carbon emissions", "خفض انبعاثات الكربون"),
                 ("lower the cost of electricity", "خفض كلفة الكهرباء")],
    },
    "sport": {
        "np": [("the national football team", "المنتخب الوطني لكرة القدم"), ("the Olympic committee", "اللجنة الأولمبية"),
               ("the city stadium", "ملعب المدينة"), ("the youth league", "دوري الشباب"),
               ("the regional championship", "البطولة الإقليمية"), ("the marathon", "سباق الماراثون"),
               ("the swimming federation", "اتحاد السباحة"), ("the sports clubs", "الأندية الرياضية"),
               ("the women's basketball team", "فريق كرة السلة للسيدات"), ("the training camp", "المعسكر التدريبي")],
        "iss": [("doping violations", "مخالفات المنشطات"), ("crowd violence", "شغب الملاعب"),
                ("a lack of sports facilities", "نقص المنشآت الرياضية"), ("unpaid player salaries", "تأخر رواتب اللاعبين"),
                ("falling attendance", "تراجع الحضور الجماهيري")],
        "act": [("host", "استضافة"), ("sponsor", "رعاية"), ("rebuild", "إعادة بناء"), ("prepare", "إعداد"),
                ("organise", "تنظيم"), ("upgrade", "تطوير")],
        "unit": [("athletes", "رياضياً"), ("spectators", "متفرج"), ("medals", "ميدالية"), ("volunteers", "متطوعاً")],
        "goal": [("qualify for the continental cup", "التأهل إلى كأس القارة"),
                 ("discover young talent", "اكتشاف المواهب الشابة"),
                 ("encourage physical activity", "تشجيع النشاط البدني")],
    },
    "culture": {
        "np": [("the national museum", "المتحف الوطني"), ("the book fair", "معرض الكتاب"),
               ("the old city archive", "أرشيف المدينة القديمة"), ("the film festival", "مهرجان السينما"),
               ("the public libraries", "المكتبات العامة"), ("the heritage sites", "المواقع التراثية"),
               ("the theatre company", "الفرقة المسرحية"), ("the manuscript collection", "مجموعة المخطوطات"),
               ("the music academy", "أكاديمية الموسيقى"), ("the translation prize", "جائزة الترجمة")],
        "iss": [("looting of antiquities", "نهب الآثار"), ("neglect of historic buildings", "إهمال المباني التاريخية"),
                ("cuts to arts funding", "خفض تمويل الفنون"), ("the closure of cinemas", "إغلاق دور السينما"),
                ("damage to the old market", "الأضرار في السوق القديم")],
        "act": [("restore", "ترميم"), ("preserve", "صون"), ("catalogue", "فهرسة"), ("open", "افتتاح"),
                ("showcase", "عرض"), ("document", "توثيق")],
        "unit": [("visitors", "زائراً"), ("manuscripts", "مخطوطة"), ("artists", "فناناً"), ("titles", "عنواناً")],
        "goal": [("protect the country's heritage", "حماية تراث البلاد"),
                 ("bring culture to young audiences", "تقريب الثقافة من الجمهور الشاب"),
                 ("support local artists", "دعم الفنانين المحليين")],
    },
    "weather": {
        "np": [("the meteorological service", "دائرة الأرصاد الجوية"),
               ("the flood warning system", "نظام الإنذار المبكر من الفيضانات"), ("the coastal roads", "الطرق الساحلية"),
               ("the storm drains", "مصارف مياه الأمطار"), ("the civil defence teams", "فرق الدفاع المدني"),
               ("the emergency shelters", "مراكز الإيواء الطارئة"),
               ("the crop insurance scheme", "برنامج التأمين على المحاصيل"), ("the weather stations", "محطات الرصد الجوي"),
               ("the mountain passes", "الممرات الجبلية"), ("the drought relief fund", "صندوق الإغاثة من الجفاف")],
        "iss": [("heavy rain and flash floods", "الأمطار الغزيرة والسيول"), ("a severe heatwave", "موجة حر شديدة"),
                ("dust storms", "العواصف الترابية"), ("snow on the mountain roads", "تساقط الثلوج على الطرق الجبلية"),
                ("a prolonged drought", "جفاف طويل الأمد")],
        "act": [("activate", "تفعيل"), ("inspect", "تفقد"), ("close", "إغلاق"), ("clear", "تطهير"),
                ("test", "اختبار"), ("relocate", "نقل")],
        "unit": [("millimetres of rain", "ملم من الأمطار"), ("degrees Celsius", "درجة مئوية"), ("families", "عائلة"),
                 ("hectares of crops", "هكتاراً من المحاصيل")],
        "goal": [("reduce flood damage", "الحد من أضرار الفيضانات"),
                 ("protect farmers from losses", "حماية المزارعين من الخسائر"),
                 ("keep the roads open in winter", "إبقاء الطرق مفتوحة في الشتاء")],
    },
    "courts": {
        "np": [("the supreme court", "المحكمة العليا"), ("the appeals court", "محكمة الاستئناف"),
               ("the public prosecution", "النيابة العامة"), ("the anti-corruption commission", "هيئة مكافحة الفساد"),
               ("the juvenile courts", "محاكم الأحداث"), ("the electoral law", "قانون الانتخابات"),
               ("the criminal procedure code", "قانون الإجراءات الجزائية"),
               ("the legal aid office", "مكتب المساعدة القانونية"),
               ("the case management system", "نظام إدارة القضايا"),
               ("the prison inspection board", "هيئة التفتيش على السجون")],
        "iss": [("a backlog of pending cases", "تراكم القضايا المعلقة"),
                ("corruption in public tenders", "الفساد في المناقصات العامة"),
                ("lengthy pre-trial detention", "طول فترة التوقيف الاحتياطي"),
                ("threats against judges", "التهديدات ضد القضاة"), ("overcrowded prisons", "اكتظاظ السجون")],
        "act": [("amend", "تعديل"), ("computerise", "حوسبة"), ("audit", "تدقيق"), ("overhaul", "إصلاح منظومة"),
                ("scrutinise", "تمحيص"), ("simplify procedures at", "تبسيط الإجراءات في")],
        "unit": [("cases", "قضية"), ("defendants", "متهماً"), ("verdicts", "حكماً"), ("complaints", "شكوى")],
        "goal": [("speed up trials", "تسريع المحاكمات"),
                 ("guarantee the independence of the judiciary", "ضمان استقلال القضاء"),
                 ("restore public trust in the courts", "استعادة ثقة الجمهور بالمحاكم")],
    },
}

# Events per topic (subjects of "will be held"), merged into TOPIC_WORDS as class "ev".
_EVENTS: dict[str, list[tuple[str, str]]] = {
    "water": [("the annual water forum", "المنتدى السنوي للمياه"), ("the river basin conference", "مؤتمر حوض النهر"),
              ("the drinking water survey", "مسح مياه الشرب")],
    "health": [("the national health conference", "المؤتمر الوطني للصحة"),
               ("the free medical screening day", "يوم الفحص الطبي المجاني"),
               ("the nursing graduation ceremony", "حفل تخريج الممرضين")],
    "trade": [("the international trade fair", "معرض التجارة الدولي"), ("the investors forum", "منتدى المستثمرين"),
              ("the customs reform workshop", "ورشة إصلاح الجمارك")],
    "security": [("the joint military exercise", "التمرين العسكري المشترك"),
                 ("the regional security summit", "قمة الأمن الإقليمية"),
                 ("the police graduation parade", "عرض تخريج الشرطة")],
    "education": [("the national science olympiad", "الأولمبياد الوطني للعلوم"),
                  ("the education reform conference", "مؤتمر إصلاح التعليم"),
                  ("the university open day", "اليوم المفتوح للجامعة")],
    "energy": [("the renewable energy summit", "قمة الطاقة المتجددة"),
               ("the tender for new power plants", "مناقصة محطات الكهرباء الجديدة"),
               ("the energy investment conference", "مؤتمر الاستثمار في الطاقة")],
    "sport": [("the cup final", "نهائي الكأس"), ("the national games", "الألعاب الوطنية"),
              ("the school sports festival", "مهرجان الرياضة المدرسية")],
    "culture": [("the poetry festival", "مهرجان الشعر"), ("the heritage week", "أسبوع التراث"),
                ("the exhibition of contemporary art", "معرض الفن المعاصر")],
    "weather": [("the winter preparedness drill", "تمرين الاستعداد لفصل الشتاء"),
                ("the climate adaptation workshop", "ورشة التكيف مع المناخ"),
                ("the seasonal forecast briefing", "إحاطة التوقعات الموسمية")],
    "courts": [("the judicial year opening ceremony", "حفل افتتاح السنة القضائية"),
               ("the trial of the former mayor", "محاكمة رئيس البلدية السابق"),
               ("the hearing on the electoral appeals", "جلسة الطعون الانتخابية")],
}
for _topic, _events in _EVENTS.items():
    TOPIC_WORDS[_topic]["ev"] = _events

# People (English, Arabic, gender, topic): three officials per topic.
PEOPLE: list[tuple[str, str, str, str]] = [
    ("Water Minister Layla Haddad", "وزيرة المياه ليلى حداد", "f", "water"),
    ("Irrigation Director Omar Farouk", "مدير الري عمر فاروق", "m", "water"),
    ("Governor Rana Khoury", "المحافظة رنا خوري", "f", "water"),
    ("Health Minister Karim Aziz", "وزير الصحة كريم عزيز", "m", "health"),
    ("Professor Salma Nasser", "البروفيسورة سلمى ناصر", "f", "health"),
    ("Hospital Director Youssef Hamdan", "مدير المستشفى يوسف حمدان", "m", "health"),
    ("Trade Minister Huda Karam", "وزيرة التجارة هدى كرم", "f", "trade"),
    ("Customs Director Tariq Bashir", "مدير الجمارك طارق بشير", "m", "trade"),
    ("Central Bank Governor Nabil Saadeh", "محافظ البنك المركزي نبيل سعادة", "m", "trade"),
    ("Interior Minister Khalid Mahmoud", "وزير الداخلية خالد محمود", "m", "security"),
    ("General Sami Hourani", "اللواء سامي حوراني", "m", "security"),
    ("Police Chief Mariam Saleh", "قائدة الشرطة مريم صالح", "f", "security"),
    ("Education Minister Nour Abbas", "وزيرة التربية نور عباس", "f", "education"),
    ("University President Adel Najjar", "رئيس الجامعة عادل نجار", "m", "education"),
    ("Union Leader Dalia Mansour", "رئيسة النقابة داليا منصور", "f", "education"),
    ("Energy Minister Fadi Sabbagh", "وزير الطاقة فادي صباغ", "m", "energy"),
    ("Grid Operator Chief Yasmin Qasim", "رئيسة مشغل الشبكة ياسمين قاسم", "f", "energy"),
    ("Engineer Hassan Obeid", "المهندس حسن عبيد", "m", "energy"),
    ("Sports Minister Walid Zayed", "وزير الرياضة وليد زايد", "m", "sport"),
    ("Coach Farah Jaber", "المدربة فرح جابر", "f", "sport"),
    ("Federation President Ziad Othman", "رئيس الاتحاد زياد عثمان", "m", "sport"),
    ("Culture Minister Amal Darwish", "وزيرة الثقافة أمل درويش", "f", "culture"),
    ("Museum Director Rami Khalil", "مدير المتحف رامي خليل", "m", "culture"),
    ("Novelist Samira Toumi", "الروائية سميرة تومي", "f", "culture"),
    ("Chief Forecaster Majid Halabi", "كبير المتنبئين ماجد حلبي", "m", "weather"),
    ("Civil Defence Director Lina Barakat", "مديرة الدفاع المدني لينا بركات", "f", "weather"),
    ("Mayor Anwar Tahan", "رئيس البلدية أنور طحان", "m", "weather"),
    ("Justice Minister Hana Rifai", "وزيرة العدل هناء الرفاعي", "f", "courts"),
    ("Judge Bassam Issa", "القاضي بسام عيسى", "m", "courts"),
    ("Attorney General Zeina Awad", "النائبة العامة زينة عوض", "f", "courts"),
]

# (English, Arabic, gender, topic or "" for any topic)
ORGS: list[tuple[str, str, str, str]] = [
    ("the National Water Authority", "الهيئة الوطنية للمياه", "f", "water"),
    ("the Ministry of Health", "وزارة الصحة", "f", "health"),
    ("the Red Crescent Society", "جمعية الهلال الأحمر", "f", "health"),
    ("the Chamber of Commerce", "غرفة التجارة", "f", "trade"),
    ("the Central Bank", "البنك المركزي", "m", "trade"),
    ("the Interior Ministry", "وزارة الداخلية", "f", "security"),
    ("the Joint Security Council", "مجلس الأمن المشترك", "m", "security"),
    ("the Ministry of Education", "وزارة التربية والتعليم", "f", "education"),
    ("the Teachers Union", "نقابة المعلمين", "f", "education"),
    ("the Electricity Company", "شركة الكهرباء", "f", "energy"),
    ("the Energy Regulatory Board", "هيئة تنظيم قطاع الطاقة", "f", "energy"),
    ("the Football Association", "اتحاد كرة القدم", "m", "sport"),
    ("the Heritage Foundation", "مؤسسة التراث", "f", "culture"),
    ("the Civil Defence Directorate", "مديرية الدفاع المدني", "f", "weather"),
    ("the Supreme Judicial Council", "مجلس القضاء الأعلى", "m", "courts"),
    ("the Bar Association", "نقابة المحامين", "f", "courts"),
    ("the Council of Ministers", "مجلس الوزراء", "m", ""),
    ("the Regional Development Fund", "صندوق التنمية الإقليمي", "m", ""),
]

PLACES: list[tuple[str, str]] = [
    ("Al-Nahra", "النهرة"), ("Qasr Amin", "قصر أمين"), ("Wadi Salam", "وادي السلام"), ("Port Mirat", "ميناء ميرات"),
    ("Tel Harun", "تل هارون"), ("Ras Kafra", "رأس كفرا"), ("Beit Sahra", "بيت صحرا"), ("Jabal Nour", "جبل النور"),
    ("Zahran", "زهران"), ("Marjan", "مرجان"), ("Ain Dara", "عين دارا"), ("Kafr Selim", "كفر سليم"),
    ("the Eastern Province", "المحافظة الشرقية"), ("Al-Bayda Valley", "وادي البيضاء"), ("Khor Lulu", "خور لؤلؤ"),
    ("Dar Hamra", "دار حمراء"),
]

MONTHS: list[tuple[str, str]] = [
    ("January", "كانون الثاني/يناير"), ("February", "شباط/فبراير"), ("March", "آذار/مارس"),
    ("April", "نيسان/أبريل"), ("May", "أيار/مايو"), ("June", "حزيران/يونيو"), ("July", "تموز/يوليو"),
    ("August", "آب/أغسطس"), ("September", "أيلول/سبتمبر"), ("October", "تشرين الأول/أكتوبر"),
    ("November", "تشرين الثاني/نوفمبر"), ("December", "كانون الأول/ديسمبر"),
]

# Reporting verbs: (English, Arabic masculine verb, Arabic feminine verb, Arabic complementiser).
SAY: list[tuple[str, str, str, str]] = [
    ("said", "قال", "قالت", "إن"), ("stressed", "أكد", "أكدت", "أن"), ("announced", "أعلن", "أعلنت", "أن"),
    ("noted", "أشار", "أشارت", "إلى أن"), ("explained", "أوضح", "أوضحت", "أن"),
    ("warned", "حذّر", "حذّرت", "من أن"), ("told reporters", "قال للصحفيين", "قالت للصحفيين", "إن"),
    ("pointed out", "لفت", "لفتت", "إلى أن"), ("added", "أضاف", "أضافت", "أن"),
    ("revealed", "كشف", "كشفت", "أن"), ("confirmed", "أكد", "أكدت", "أن"),
]

# Time expressions (future).
TIMES: list[tuple[str, str]] = [
    ("next month", "الشهر المقبل"), ("this week", "هذا الأسبوع"), ("by the end of the year", "بحلول نهاية العام"),
    ("within six months", "خلال ستة أشهر"), ("over the next three years", "على مدى السنوات الثلاث المقبلة"),
    ("before the summer", "قبل الصيف"), ("in the coming weeks", "في الأسابيع المقبلة"),
    ("as soon as possible", "في أقرب وقت ممكن"), ("during the second half of the year", "خلال النصف الثاني من العام"),
    ("early next year", "مطلع العام المقبل"),
]

# Issuing offices (the second line of a headline block).
OFFICES: list[tuple[str, str]] = [
    ("Office of the Spokesperson", "مكتب المتحدث الرسمي"), ("Press Office", "المكتب الإعلامي"),
    ("Media Relations Department", "إدارة العلاقات الإعلامية"), ("Public Information Unit", "وحدة الإعلام العام"),
    ("Communications Directorate", "مديرية الاتصال"), ("For immediate release", "للنشر الفوري"),
]

# Local names, combined in synthetic.py into thousands of people, places and organisations: news
# names far more people and places than a handful of officials, and a corpus whose every
# document names the same 16 places shares long verbatim spans between unrelated documents.
GIVEN_NAMES: list[tuple[str, str, str]] = [
    (en, ar, "m") for en, ar in [
        ("Adel", "عادل"), ("Bassam", "بسام"), ("Fadi", "فادي"), ("Ghassan", "غسان"), ("Hadi", "هادي"),
        ("Hani", "هاني"), ("Imad", "عماد"), ("Jamal", "جمال"), ("Kamal", "كمال"), ("Majed", "ماجد"),
        ("Nader", "نادر"), ("Nizar", "نزار"), ("Osama", "أسامة"), ("Rami", "رامي"), ("Ramzi", "رمزي"),
        ("Saeed", "سعيد"), ("Samer", "سامر"), ("Tamer", "تامر"), ("Wael", "وائل"), ("Walid", "وليد"),
        ("Yasser", "ياسر"), ("Zaid", "زيد"), ("Ziad", "زياد"), ("Anwar", "أنور"), ("Bilal", "بلال"),
        ("Fouad", "فؤاد"), ("Hisham", "هشام"), ("Issam", "عصام"), ("Jihad", "جهاد"), ("Marwan", "مروان"),
        ("Munir", "منير"), ("Qais", "قيس"), ("Raed", "رائد"), ("Shadi", "شادي"), ("Talal", "طلال"),
        ("Ghazi", "غازي"), ("Hatem", "حاتم"), ("Ihab", "إيهاب"), ("Mazen", "مازن"), ("Mahdi", "مهدي")]
] + [
    (en, ar, "f") for en, ar in [
        ("Amal", "أمل"), ("Basma", "بسمة"), ("Dalia", "داليا"), ("Dima", "ديما"), ("Farah", "فرح"),
        ("Ghada", "غادة"), ("Hala", "هالة"), ("Hanan", "حنان"), ("Iman", "إيمان"), ("Jumana", "جمانة"),
        ("Lina", "لينا"), ("Lubna", "لبنى"), ("Maha", "مها"), ("Manal", "منال"), ("Maysa", "ميساء"),
        ("Nadia", "نادية"), ("Nawal", "نوال"), ("Nisreen", "نسرين"), ("Rasha", "رشا"), ("Reem", "ريم"),
        ("Rima", "ريما"), ("Sahar", "سحر"), ("Samira", "سميرة"), ("Sawsan", "سوسن"), ("Suha", "سهى"),
        ("Wafa", "وفاء"), ("Yara", "يارا"), ("Zeina", "زينة"), ("Abeer", "عبير"), ("Dana", "دانة"),
        ("Ghalia", "غالية"), ("Hiba", "هبة"), ("Inas", "إيناس"), ("Lamia", "لمياء"), ("Mona", "منى"),
        ("Nour", "نور"), ("Rania", "رانيا"), ("Rula", "رلى"), ("Salwa", "سلوى"), ("Widad", "وداد")]
]
FAMILY_NAMES: list[tuple[str, str]] = [
    ("Abboud", "عبود"), ("Ashour", "عاشور"), ("Badran", "بدران"), ("Barakat", "بركات"), ("Dabbagh", "دباغ"),
    ("Darwish", "درويش"), ("Eid", "عيد"), ("Fakhoury", "فاخوري"), ("Ghanem", "غانم"), ("Habib", "حبيب"),
    ("Halabi", "حلبي"), ("Hijazi", "حجازي"), ("Issa", "عيسى"), ("Jaber", "جابر"), ("Kanaan", "كنعان"),
    ("Khalil", "خليل"), ("Maalouf", "معلوف"), ("Mansour", "منصور"), ("Matar", "مطر"), ("Nahhas", "نحاس"),
    ("Najjar", "نجار"), ("Qassem", "قاسم"), ("Rahal", "رحال"), ("Sabbagh", "صباغ"), ("Sakr", "صقر"),
    ("Sharif", "شريف"), ("Shami", "شامي"), ("Tamimi", "تميمي"), ("Touma", "توما"), ("Yassin", "ياسين"),
    ("Zein", "زين"), ("Zoubi", "زعبي"), ("Awad", "عوض"), ("Bitar", "بيطار"), ("Daher", "ضاهر"),
    ("Farhat", "فرحات"), ("Hamdi", "حمدي"), ("Haddadin", "حدادين"), ("Jarrar", "جرار"), ("Masri", "مصري"),
    ("Nasrallah", "نصر الله"), ("Obeid", "عبيد"), ("Qaddoura", "قدورة"), ("Rifai", "رفاعي"), ("Saadi", "سعدي"),
    ("Shaker", "شاكر"), ("Taha", "طه"), ("Wahbi", "وهبي"), ("Yazbek", "يزبك"), ("Zaher", "زاهر"),
    ("Atallah", "عطا الله"), ("Baroudi", "بارودي"), ("Dajani", "دجاني"), ("Fares", "فارس"), ("Ghoul", "غول"),
    ("Hassoun", "حسون"), ("Kurdi", "كردي"), ("Lahham", "لحام"), ("Sayegh", "صايغ"), ("Tannous", "طنوس"),
]
# (English, Arabic masculine, Arabic feminine); no full stops: they would end the sentence
TITLES: list[tuple[str, str, str]] = [
    ("Councillor", "عضو المجلس البلدي", "عضوة المجلس البلدي"), ("MP", "النائب", "النائبة"),
    ("Mayor", "رئيس البلدية", "رئيسة البلدية"), ("Dr", "الدكتور", "الدكتورة"),
    ("Deputy Minister", "نائب الوزير", "نائبة الوزير"), ("Director-General", "المدير العام", "المديرة العامة"),
    ("Spokesperson", "المتحدث الرسمي", "المتحدثة الرسمية"), ("Engineer", "المهندس", "المهندسة"),
    ("Judge", "القاضي", "القاضية"), ("Ambassador", "السفير", "السفيرة"),
]
PLACE_PREFIXES: list[tuple[str, str]] = [
    ("", ""), ("Wadi", "وادي"), ("Tel", "تل"), ("Ain", "عين"), ("Kafr", "كفر"), ("Beit", "بيت"),
    ("Deir", "دير"), ("Bir", "بئر"), ("Khirbet", "خربة"), ("Marj", "مرج"), ("Ras", "رأس"), ("Jisr", "جسر"),
    ("Umm", "أم"), ("Nahr", "نهر"), ("Sahl", "سهل"), ("Jabal", "جبل"),
]
PLACE_STEMS: list[tuple[str, str]] = [
    ("Zeitoun", "زيتون"), ("Rumman", "رمان"), ("Kharrub", "خروب"), ("Sindyan", "سنديان"), ("Ballut", "بلوط"),
    ("Fawwar", "فوار"), ("Ghazal", "غزال"), ("Hamam", "حمام"), ("Qamar", "قمر"), ("Shams", "شمس"),
    ("Nakhla", "نخلة"), ("Sakhra", "صخرة"), ("Tina", "تينة"), ("Arish", "عريش"), ("Dahab", "ذهب"),
    ("Fidda", "فضة"), ("Hajar", "حجر"), ("Jauz", "جوز"), ("Karma", "كرمة"), ("Luz", "لوز"),
    ("Mishmish", "مشمش"), ("Nasim", "نسيم"), ("Qasab", "قصب"), ("Rihan", "ريحان"), ("Safsaf", "صفصاف"),
    ("Tamr", "تمر"), ("Warda", "وردة"), ("Yasmin", "ياسمين"), ("Zaatar", "زعتر"), ("Anbar", "عنبر"),
    ("Bustan", "بستان"), ("Dafla", "دفلى"), ("Fayruz", "فيروز"), ("Ghadir", "غدير"), ("Hilal", "هلال"),
    ("Jadida", "جديدة"), ("Kawkab", "كوكب"), ("Manara", "منارة"), ("Nabaa", "نبع"), ("Qalaa", "قلعة"),
    ("Rabia", "ربيع"), ("Sahil", "ساحل"), ("Tawil", "طويل"), ("Wasit", "واسط"), ("Yanbu", "ينبوع"),
    ("Zahra", "زهرة"), ("Asfar", "أصفر"), ("Abyad", "أبيض"), ("Akhdar", "أخضر"), ("Azraq", "أزرق"),
    ("Ahmar", "أحمر"), ("Shamali", "شمالي"), ("Janubi", "جنوبي"), ("Gharbi", "غربي"), ("Sharqi", "شرقي"),
    ("Kabir", "كبير"), ("Saghir", "صغير"), ("Wusta", "وسطى"), ("Mallaha", "ملاحة"), ("Sawwana", "صوانة"),
]
# Local bodies of a place: (English with {L}, Arabic with {L}, gender)
LOCAL_ORGS: list[tuple[str, str, str]] = [
    ("the {L} Municipal Council", "المجلس البلدي في {L}", "m"),
    ("the {L} Residents Association", "جمعية سكان {L}", "f"),
    ("the {L} Chamber of Industry", "غرفة صناعة {L}", "f"),
    ("the {L} District Office", "مكتب منطقة {L}", "m"),
    ("the {L} Development Agency", "وكالة تنمية {L}", "f"),
    ("the {L} Farmers Cooperative", "تعاونية مزارعي {L}", "f"),
]

# Interchangeable wordings of the templates' fixed words, per language: a writer picks one, so two
# unrelated documents built on one template do not repeat its wording verbatim. The first of each
# group is the word as the templates spell it (whole words, not inside a slot).
EN_WORDINGS: list[list[str]] = [
    ["allocate", "earmark", "set aside", "commit"], ["dollars", "US dollars"],
    ["government", "cabinet", "administration"], ["launch", "start", "rollout"],
    ["programme", "scheme", "initiative"], ["complaints", "grievances"], ["rose", "increased", "climbed", "grew"],
    ["according to", "based on"], ["official", "government", "public"], ["figures", "data", "statistics"],
    ["visited", "toured"], ["met", "met with", "spoke with"], ["local", "regional", "district"],
    ["officials", "authorities", "administrators"], ["expected", "due", "scheduled"],
    ["finish", "be completed", "conclude"], ["main", "chief", "principal", "key"],
    ["biggest", "largest", "greatest"], ["challenge", "obstacle", "difficulty"], ["problem", "issue", "concern"],
    ["facing", "confronting"], ["recorded", "registered", "logged", "counted"], ["earlier", "before", "previously"],
    ["delegations", "delegates", "teams"], ["countries", "nations", "states"], ["called on", "urged", "asked"],
    ["citizens", "residents", "people"], ["residents", "people", "inhabitants"], ["people", "residents", "citizens"],
    ["cases", "incidents", "instances"], ["hotline", "helpline", "phone line"], ["meeting", "session", "gathering"],
    ["ended", "concluded", "closed"], ["reached", "hit", "topped"], ["talks", "negotiations", "discussions"],
    ["resume", "restart", "reopen"], ["forced", "obliged", "compelled"], ["authorities", "officials"],
    ["close", "shut"], ["closed", "shut"], ["press", "news"], ["plan", "proposal", "blueprint"],
    ["wider", "broader", "larger"], ["broader", "wider", "larger"], ["strategy", "policy", "effort"],
    ["signed", "concluded", "sealed"], ["agreement", "accord"], ["complete", "finished", "done"],
    ["warned", "cautioned"], ["urgent", "immediate", "swift"], ["action", "measures", "steps"],
    ["spread", "extend"], ["delegation", "team", "mission"], ["arrived", "landed"],
    ["assess", "evaluate", "review", "inspect"], ["chaired", "led", "presided over"],
    ["discuss", "examine", "review"], ["ways", "means", "options"], ["measures", "steps", "rules"],
    ["statement", "communique", "press release"], ["survey", "poll", "study"],
    ["published", "released", "issued"], ["concerned", "worried"], ["opened", "inaugurated"],
    ["committee", "panel", "commission"], ["submit", "present", "deliver"], ["final", "concluding"],
    ["registered", "recorded", "reported"], ["start", "beginning"], ["complained", "protested"],
    ["councillors", "council members"], ["neglected", "ignored", "overlooked"], ["decision", "ruling"],
    ["taken", "made", "reached"], ["began", "started"], ["workers", "labourers", "staff"],
    ["denied", "rejected", "dismissed"], ["reports", "claims", "rumours"], ["support", "backing", "help"],
    ["spending", "expenditure"], ["fell", "dropped", "declined"], ["inspectors", "monitors", "auditors"],
    ["sent", "dispatched", "deployed"], ["follow up on", "look into", "investigate"],
    ["deputies", "lawmakers", "MPs"], ["criticised", "condemned", "attacked"], ["handling", "management"],
    ["demanded", "called for", "sought"], ["inquiry", "investigation", "probe"],
    ["financed", "funded", "paid for"], ["grant", "donation"], ["ambassador", "envoy"],
    ["cooperation", "collaboration", "partnership"], ["annual", "yearly"], ["showed", "found", "indicated"],
    ["economy", "national economy"], ["spokesperson", "spokesman", "representative"],
    ["continue", "carry on", "proceed"], ["holidays", "holiday period", "break"],
    ["dialogue", "debate", "conversation"], ["required", "needed"], ["ceremony", "celebration", "event"],
    ["guests", "invitees", "visitors"], ["including", "among them"], ["media", "press", "newspapers"],
    ["damaged", "hit", "affected"], ["sides", "parties"], ["agreed", "decided"],
    ["form", "set up", "establish"], ["joint", "shared", "common"], ["again", "once more"],
    ["website", "web portal", "web page"], ["highest", "largest"], ["figure", "number", "level"],
    ["visit", "travel to"], ["standards", "requirements", "norms"], ["issued", "released", "published"],
    ["move", "step", "decision"], ["welcomed", "praised", "applauded"], ["announcement", "declaration"],
    ["partners", "allies", "donors"], ["objections", "opposition", "criticism"],
    ["consultations", "talks", "discussions"], ["help", "aim to"], ["thanked", "praised"],
]
AR_WORDINGS: list[list[str]] = [
    ["ستخصص", "سترصد", "ستوفر"], ["دولار", "دولار أمريكي"], ["الحكومة", "السلطات"], ["إطلاق", "بدء", "تدشين"],
    ["ارتفعت", "زادت", "صعدت"], ["الشكاوى", "البلاغات", "التظلمات"], ["وفق", "بحسب", "حسب"],
    ["الأرقام", "البيانات", "الإحصاءات", "المعطيات"], ["الرسمية", "الحكومية"], ["كلفة", "تكلفة"],
    ["أعمال", "أشغال"], ["المتوقع", "المنتظر", "المرتقب"], ["تنتهي", "تكتمل", "تُنجز"],
    ["الرئيسي", "الأبرز", "الأكبر"], ["التحدي", "العائق"], ["لا تزال", "ما زالت", "ما تزال"],
    ["سجلت", "رصدت", "أحصت"], ["مقارنة مع", "مقابل"], ["تنطلق", "تبدأ"], ["فعاليات", "أعمال", "أنشطة"],
    ["بمشاركة", "بحضور"], ["وفود", "بعثات"], ["دولة", "بلداً"], ["المواطنين", "السكان", "الأهالي"],
    ["الإبلاغ", "التبليغ"], ["حالات", "وقائع"], ["للطوارئ", "للحالات الطارئة"], ["الاجتماع", "اللقاء"],
    ["اختُتم", "انتهى", "انفض"], ["المستفيدين", "المنتفعين"], ["بلغ", "وصل إلى"],
    ["المحادثات", "المفاوضات", "المباحثات"], ["ممثلين", "مندوبين"], ["ممثلون", "مندوبون"],
    ["أجبرت", "أرغمت"], ["السلطات", "الجهات المختصة", "الجهات الرسمية"], ["صحفي", "صحافي"],
    ["استراتيجية", "إستراتيجية"], ["أوسع", "أشمل", "أعم"], ["أشمل", "أوسع", "أعم"], ["الإنجاز", "التنفيذ"],
    ["موازنة", "ميزانية"], ["تمتد", "تتمدد"], ["إجراءات", "تدابير"], ["عاجلة", "فورية", "سريعة"],
    ["وفد", "فريق"], ["لتقييم", "لدراسة", "لمعاينة"], ["اجتماعاً", "لقاءً"], ["لبحث", "لمناقشة", "لدراسة"],
    ["سبل", "طرق", "وسائل"], ["بيان", "تصريح"], ["الإجراءات", "التدابير"], ["ستساعد", "ستعين"],
    ["استطلاع", "مسح"], ["نُشر", "صدر"], ["سكان", "أهالي", "قاطني"], ["النهائي", "الختامي"],
    ["تسجيل", "رصد", "إحصاء"], ["بداية", "مطلع", "أول"], ["أشهر", "شهور"], ["المحلي", "البلدي"],
    ["أهملوا", "تجاهلوا"], ["سيُتخذ", "سيصدر"], ["المهندسون", "الفنيون"], ["بدأ", "باشر"],
    ["حالياً", "الآن"], ["الموقع", "الميدان"], ["الأنباء", "الأخبار", "التقارير"], ["بموجب", "وفق"],
    ["الدعم", "العون"], ["الإنفاق", "الصرف"], ["تراجع", "انخفض", "هبط"], ["مفتشاً", "مراقباً"],
    ["لمتابعة", "لرصد"], ["انتقد", "هاجم"], ["طريقة", "أسلوب", "كيفية"], ["بمنحة", "بهبة"],
    ["قدرها", "قيمتها"], ["التعاون", "الشراكة"], ["أظهر", "بيّن", "كشف"], ["الاقتصاد", "الاقتصاد الوطني"],
    ["متحدث", "ناطق"], ["سيستمر", "سيتواصل"], ["العطلة", "الإجازة", "العطلة الرسمية"],
    ["تتطلب", "تستلزم", "تقتضي"], ["الحفل", "الاحتفال", "المراسم"], ["ضيفاً", "مدعواً"],
    ["أفادت", "ذكرت"], ["أضرار", "خسائر"], ["جراء", "بسبب", "نتيجة"], ["الجانبان", "الطرفان"],
    ["تشكيل", "تأسيس", "إنشاء"], ["مجدداً", "مرة أخرى", "ثانية"], ["رغم", "على الرغم من", "برغم"],
    ["المسؤولون", "المعنيون"], ["إنجاز", "استكمال"], ["بهدف", "سعياً إلى", "من أجل"],
    ["المفتشون", "المراقبون"], ["المعايير", "الشروط"], ["المطلوبة", "اللازمة"], ["شركاء", "جهات شريكة"],
    ["اعتراضات", "تحفظات"], ["المشاورات", "المباحثات"], ["تماشياً", "انسجاماً"], ["إرسال", "إيفاد"],
    ["برنامج", "مشروع"], ["الوزارة", "الوزارة المعنية"], ["المسؤولين", "المعنيين"], ["محادثات", "مباحثات"],
]

# Everything above as one English -> Arabic table (the first Arabic form where there are two).
PHRASE_TABLE: dict[str, str] = {}
for _words in TOPIC_WORDS.values():
    for _pairs in _words.values():
        PHRASE_TABLE.update(_pairs)
for _en, _ar, *_ in PEOPLE + ORGS:
    PHRASE_TABLE[_en] = _ar
for _en, _ar in PLACES + MONTHS + TIMES + OFFICES:
    PHRASE_TABLE[_en] = _ar
for _en, _ar_m, _ar_f, _comp in SAY:
    PHRASE_TABLE[_en] = f"{_ar_m} {_comp}"
