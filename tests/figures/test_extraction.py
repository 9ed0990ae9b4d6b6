"""Tests for figure extraction: real sentences (news, financial reports, encyclopaedia), non-figures, properties."""

from __future__ import annotations

import json
import math
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.figures.extraction import extract_figures
from assistant.figures.model import KINDS, Figure
from assistant.figures.nouns import counted_noun
from assistant.figures.vocabulary import lookup_unit

SEED_GDP = (
    "The China Internet Development Report 2022 released during the 2022 World Internet Conference Wuzhen Summit "
    "shows that the scale of China's digital economy came to 45.5 trillion yuan in 2021, accounting for 39.8 percent "
    "of China's GDP."
)
SEED_JUNE = (
    "As of June, 55.7 percent of key processes of China's industrial enterprises above designated size were "
    "digitally controlled, and the popularity rate of digital R&D tools reached 75.1 percent."
)
SEED_MSMES = (
    "China has more than 40 million micro, small and medium-sized enterprises (MSMEs), accounting for more than 99 "
    "percent of market entities."
)
SEED_SAAS = (
    'In the middle of this year, in line with the development trend of "Software as a Service (SaaS)", Beijing Qihu '
    'Keji Co., Ltd. launched the "Enterprise Security Cloud" service, which is targeted at the security capability of '
    "serving the country and is free for MSMEs to use, benefiting nearly one million MSMEs."
)
SEED_DATA = (
    "In 2021, China's data output came to 6.6ZB, with a year-on-year increase of 29.4 percent, ranking the second "
    "in the world."
)
SEED_HUAWEI = (
    "Huawei will ensure access to the digital society for about 120 million people in remote areas in more than 80 "
    "countries by 2025."
)
SEED_PHOTO = (
    "A staff member displays an AR device for information about cultural relics at the China International Digital "
    "Economy Expo 2021 in Shijiazhuang, north China's Hebei Province, Sept. 7, 2021. (Xinhua/Jin Haoyuan)"
)
SEED_ZTE = (
    "After more than two years of transformation, Binjiang Factory has secured the overall optimization from single "
    "point application to production line process, and gradually expanded from production line application to the "
    "overall operation of workshops and parks, covering all kinds of businesses, making 5G intelligent manufacturing a "
    "reality."
)
SEED_HUAWEI_ALLIANCE = (
    "In addition, in November 2022, Huawei Chairman Liang Hua announced at the 2022 CSD Forumthat Huawei had "
    "officially joined the Partner 2 Connect Digital Alliance of International Telecommunication Union."
)
TAT_REVENUE = "Revenue increased by $12.3 million, or 8%, to $165.4 million in fiscal 2019."
TAT_LOSS = (
    "Net profit/(loss) after tax was $(9.8) million (2018: $6.6 million). Non-statutory underlying earnings before "
    "interest, tax, depreciation and amortisation (EBITDA) improved from $62.6 million in FY18 to $85.1 million in FY19."
)
TAT_EUR = (
    "Net financial result The net financial result from continuing operations primarily comprises the interest result "
    "of €−119 million (2017/18: €−136 million) and the other financial result of €1 million (2017/18: €−2 million)."
)
TAT_GBP = (
    "The adjustments to prior periods of £1.7m (2017/18: £(8.1m)) relate mainly to the adjustment of prior period "
    "losses and capital allowances which have been revised following submission of tax returns."
)
TAT_BCE_MARGIN = (
    "This resulted in an adjusted EBITDA margin of 39.7% in the quarter, up 1.2 pts over Q4 2018, primarily due to the "
    "favourable impact from the adoption of IFRS 16 in 2019."
)
TAT_SEVERANCE = (
    "BCE severance, acquisition and other costs of $28  million in Q4 2019 decreased by $30 million, compared to Q4 "
    "2018, mainly due to lower acquisition and other costs."
)
TAT_AWARDS = (
    "Total unrecognized compensation cost related to non-vested awards at December 31, 2019 was $1.2 billion and is "
    "expected to be recognized over a weighted-average period of approximately 2.5 years."
)
TAT_GOODWILL = (
    "During the third quarter of 2018, we made an organizational change to combine our AI investments in edge "
    "computing with IOTG; accordingly, approximately $480 million of goodwill was reallocated from “all other” to the "
    "IOTG operating segment."
)
TAT_SWAPS = (
    "The interest rate swap agreements on $300 million and $250 million of the Company's Variable Rate Loans both had "
    "a maturity date of August 2022 and fixed interest rates of 1.66% and 2.59%, respectively."
)
TAT_TAXES = (
    "Federal and state income taxes of $418,000, $47.2 million, and $17.6 million were refunded in fiscal years 2019, "
    "2018, and 2017, respectively."
)
TAT_OPTIONS = "The weighted-average per share grant date fair value of options was $8.92 in 2019, $8.45 in 2018 and $7.06 in 2017."
TAT_CHARGES = (
    "During Fiscal 2019, restructuring charges under the Fiscal 2018 Plan included $39.2 million in employee "
    "termination benefits and $3.2 million in lease termination and other exit costs."
)
TAT_CLIENTS = (
    "The Company’s top ten clients accounted for 42.2%, 44.2% and 46.9% of its consolidated revenues during the years "
    "ended December 31, 2019, 2018 and 2017, respectively."
)
TAT_RECLASSIFY = (
    "The Company expects to reclassify gains of $1 million from accumulated other comprehensive loss into earnings "
    "during the next 12 months."
)
TAT_FORM = (
    "(1) Excludes $26.5 million associated with our build-to-suit lease arrangements that are classified as capital "
    "leases in the Consolidated Balance Sheets in Part II, Item 8 of this 2019 Form 10-K for which cash payment is not "
    "anticipated."
)
SQUAD_SB = (
    "The American Football Conference (AFC) champion Denver Broncos defeated the National Football Conference (NFC) "
    "champion Carolina Panthers 24–10 to earn their third Super Bowl title."
)
SQUAD_FRESNO = (
    "As of 2015, the city's population was 520,159, making it the fifth-largest city in California, the largest "
    "inland city in California and the 34th-largest in the nation."
)
SQUAD_PLAGUE = (
    "Late outbreaks in central Europe included the Italian Plague of 1629–1631, which is associated with troop "
    "movements during the Thirty Years' War, and the Great Plague of Vienna in 1679."
)
SQUAD_ABC = (
    "The 2011–12 season saw ABC drop to fourth place in the 18–49 demographic despite renewing a handful of new shows "
    "(including freshmen dramas Scandal, Revenge and Once Upon a Time) for second seasons."
)
SQUAD_FRENCH = (
    "British settlers outnumbered the French 20 to 1 with a population of about 1.5 million ranged along the eastern "
    "coast of the continent, from Nova Scotia and Newfoundland in the north, to Georgia in the south."
)
SQUAD_AIRPORT = (
    "The airport handles over five million passengers per year, and is the tenth largest, and the fastest growing "
    "regional airport in the UK, expecting to reach 10 million passengers by 2016, and 15 million by 2030."
)
SQUAD_MODULE = (
    "The module was 11.42 feet (3.48 m) tall, 12.83 feet (3.91 m) in diameter, and weighed approximately 12,250 pounds "
    "(5,560 kg)."
)
SQUAD_PRIME = (
    "No even number greater than 2 is prime because by definition, any such number n has at least three distinct "
    "divisors, namely 1, 2, and n."
)
SQUAD_NASA = (
    "In 2009, NASA held a symposium on project costs which presented an estimate of the Apollo program costs in 2005 "
    "dollars as roughly $170 billion."
)
SQUAD_SKY = "In February 2015, Sky bid £4.2bn for a package of 120 premier league games across the three seasons from 2016."
SQUAD_DEBATES = (
    "Typically, ministers or party leaders open debates, with opening speakers given between 5 and 20 minutes, and "
    "succeeding speakers allocated less time."
)
SQUAD_RECORD = (
    "With their NFC-best 15–1 regular season record, the Panthers clinched home-field advantage throughout the NFC "
    "playoffs for the first time in franchise history."
)
SQUAD_MARRIAGE = "At the time of their marriage, Katharina was 26 years old and Luther was 41 years old."
NEWS_STATIONS = "By the end of 2021, China had built more than 1.5 million 5G base stations."
NEWS_OUTPUT = "Industrial output was up 16.1 percent year-on-year in the first half of 2022."
NEWS_CONVERSION = "The city invested 1.1 billion yuan (US$170 million) in data centres in 2021."

# (sentence, figure text, expected fields); "value" is compared with a relative tolerance
CASES: list[tuple[str, str, dict[str, object]]] = [
    # the seed article
    (
        SEED_GDP,
        "45.5 trillion yuan",
        {"value": 4.55e13, "unit": "yuan", "kind": "money", "currency": "CNY", "period": "2021"},
    ),
    (
        SEED_GDP,
        "39.8 percent",
        {"value": 39.8, "unit": "percent", "kind": "percent", "period": "2021", "change": None},
    ),
    (SEED_GDP, "2021", {"value": 2021.0, "unit": None, "kind": "year", "period": None}),
    (
        "Updated: December 22, 2022 Source: Belt and Road Portal",
        "December 22, 2022",
        {"value": 2022.0, "kind": "date"},
    ),
    (SEED_PHOTO, "Sept. 7, 2021", {"value": 2021.0, "unit": None, "kind": "date"}),
    (SEED_PHOTO, "2021", {"value": 2021.0, "kind": "year"}),
    (
        SEED_JUNE,
        "55.7 percent",
        {"value": 55.7, "unit": "percent", "kind": "percent", "period": "as of June"},
    ),
    (
        SEED_JUNE,
        "75.1 percent",
        {"value": 75.1, "unit": "percent", "kind": "percent", "period": "as of June"},
    ),
    (
        SEED_MSMES,
        "more than 40 million micro, small and medium-sized enterprises",
        {"value": 4e7, "unit": "enterprises", "kind": "count", "qualifier": "more than"},
    ),
    (
        SEED_MSMES,
        "more than 99 percent",
        {"value": 99.0, "unit": "percent", "kind": "percent", "qualifier": "more than"},
    ),
    (
        "MSMEs are faced with five dilemmas on the path towards digitalization: lack of funds, talent, technology, "
        "results and guarantee.",
        "five dilemmas",
        {"value": 5.0, "unit": "dilemmas", "kind": "count"},
    ),
    (
        SEED_SAAS,
        "nearly one million MSMEs",
        {
            "value": 1e6,
            "unit": "MSMEs",
            "kind": "count",
            "qualifier": "nearly",
            "period": "in the middle of this year",
        },
    ),
    (SEED_DATA, "6.6ZB", {"value": 6.6, "unit": "ZB", "kind": "data_size", "period": "2021"}),
    (
        SEED_DATA,
        "29.4 percent",
        {
            "value": 29.4,
            "unit": "percent",
            "kind": "percent",
            "change": "year-on-year increase",
            "period": "2021",
        },
    ),
    (SEED_DATA, "second", {"value": 2.0, "unit": "rank", "kind": "ordinal"}),
    (
        SEED_ZTE,
        "more than two years",
        {"value": 2.0, "unit": "years", "kind": "duration", "qualifier": "more than"},
    ),
    (
        "Over the past six months, China has accelerated regional connectivity with digital technologies, and the "
        "digital ecosystem represented by cross-border e-commerce and cross-border payment has taken shape.",
        "six months",
        {"value": 6.0, "unit": "months", "kind": "duration", "qualifier": None},
    ),
    (
        "In June 2022, ANEXT Bank, a wholly-owned subsidiary of Ant Group, opened in Singapore, specializing in serving "
        "MSMEs in Singapore and other ASEAN countries, especially those engaged in cross-border trade.",
        "June 2022",
        {"value": 2022.0, "kind": "date"},
    ),
    (
        SEED_HUAWEI,
        "about 120 million people",
        {"value": 1.2e8, "unit": "people", "kind": "count", "qualifier": "about", "period": "by 2025"},
    ),
    (
        SEED_HUAWEI,
        "more than 80 countries",
        {"value": 80.0, "unit": "countries", "kind": "count", "period": "by 2025"},
    ),
    (SEED_HUAWEI, "2025", {"value": 2025.0, "kind": "year"}),
    (SEED_HUAWEI_ALLIANCE, "November 2022", {"value": 2022.0, "kind": "date"}),
    (
        "Zhang Yong, chairman of the Board of Directors and CEO of Alibaba Group, said that the development of digital "
        "economy can be divided into three stages, including digital circulation, digital logistics, and digital "
        "computing, which has always been deeply rooted in the real economy.",
        "three stages",
        {"value": 3.0, "unit": "stages", "kind": "count"},
    ),
    (
        "It can display 360-degree videos and augmented reality content for tourists.",
        "360-degree",
        {"value": 360.0, "unit": "degrees", "kind": "number"},
    ),
    # financial reports (TAT-QA)
    (
        TAT_REVENUE,
        "$12.3 million",
        {
            "value": 1.23e7,
            "unit": "US dollars",
            "kind": "money",
            "currency": "USD",
            "change": "increase",
            "period": "fiscal 2019",
        },
    ),
    (TAT_REVENUE, "8%", {"value": 8.0, "unit": "percent", "kind": "percent", "change": "increase"}),
    (
        TAT_REVENUE,
        "$165.4 million",
        {"value": 1.654e8, "kind": "money", "change": None, "period": "fiscal 2019"},
    ),
    (TAT_LOSS, "$(9.8) million", {"value": -9.8e6, "kind": "money", "currency": "USD", "negative": True}),
    (TAT_LOSS, "$6.6 million", {"value": 6.6e6, "kind": "money", "negative": False, "period": "2018"}),
    (TAT_LOSS, "$85.1 million", {"value": 8.51e7, "kind": "money", "period": "FY19"}),
    (TAT_LOSS, "FY18", {"value": 2018.0, "kind": "year"}),
    (TAT_AWARDS, "$1.2 billion", {"value": 1.2e9, "kind": "money", "period": "December 31, 2019"}),
    (
        TAT_AWARDS,
        "approximately 2.5 years",
        {"value": 2.5, "unit": "years", "kind": "duration", "qualifier": "approximately"},
    ),
    (TAT_AWARDS, "December 31, 2019", {"value": 2019.0, "kind": "date"}),
    (
        TAT_GOODWILL,
        "approximately $480 million",
        {
            "value": 4.8e8,
            "kind": "money",
            "qualifier": "approximately",
            "period": "during the third quarter of 2018",
        },
    ),
    (TAT_SWAPS, "August 2022", {"value": 2022.0, "kind": "date"}),
    (TAT_SWAPS, "2.59%", {"value": 2.59, "unit": "percent", "kind": "percent"}),
    (TAT_TAXES, "$418,000", {"value": 418000.0, "unit": "US dollars", "kind": "money"}),
    (TAT_OPTIONS, "$8.45", {"value": 8.45, "kind": "money", "period": "2018"}),
    (TAT_OPTIONS, "$7.06", {"value": 7.06, "kind": "money", "period": "2017"}),
    (TAT_CHARGES, "$39.2 million", {"value": 3.92e7, "kind": "money", "period": "Fiscal 2019"}),
    (TAT_CLIENTS, "ten clients", {"value": 10.0, "unit": "clients", "kind": "count"}),
    (TAT_CLIENTS, "44.2%", {"value": 44.2, "unit": "percent", "kind": "percent"}),
    (
        "BCE operating revenues grew by 1.6% in Q4 2019, compared to Q4 2018, driven by growth in Bell Wireless and "
        "Bell Media, while Bell Wireline remained stable year over year.",
        "1.6%",
        {"value": 1.6, "kind": "percent", "change": "increase", "period": "Q4 2019"},
    ),
    (
        TAT_BCE_MARGIN,
        "1.2 pts",
        {"value": 1.2, "unit": "percentage points", "kind": "percent", "change": "increase"},
    ),
    (TAT_BCE_MARGIN, "39.7%", {"value": 39.7, "kind": "percent", "change": None}),
    (TAT_SEVERANCE, "$28  million", {"value": 2.8e7, "kind": "money", "change": None, "period": "Q4 2019"}),
    (TAT_SEVERANCE, "$30 million", {"value": 3e7, "kind": "money", "change": "decrease"}),
    (
        "BCE amortization was $228 million in Q4 2019, up from $216 million in Q4 2018, mainly due to a higher asset "
        "base.",
        "$216 million",
        {"value": 2.16e8, "kind": "money", "change": None, "period": "Q4 2018"},
    ),
    (
        TAT_EUR,
        "€−119 million",
        {"value": -1.19e8, "unit": "euros", "kind": "money", "currency": "EUR", "negative": True},
    ),
    (TAT_EUR, "€−136 million", {"value": -1.36e8, "kind": "money", "negative": True, "period": "2017/18"}),
    (TAT_EUR, "€1 million", {"value": 1e6, "kind": "money", "negative": False}),
    (TAT_GBP, "£1.7m", {"value": 1.7e6, "unit": "pounds", "kind": "money", "currency": "GBP"}),
    (
        TAT_GBP,
        "£(8.1m)",
        {"value": -8.1e6, "kind": "money", "currency": "GBP", "negative": True, "period": "2017/18"},
    ),
    (TAT_RECLASSIFY, "12 months", {"value": 12.0, "unit": "months", "kind": "duration"}),
    (TAT_RECLASSIFY, "$1 million", {"value": 1e6, "kind": "money", "change": None}),
    (TAT_FORM, "$26.5 million", {"value": 2.65e7, "kind": "money"}),
    (TAT_FORM, "2019", {"value": 2019.0, "kind": "year"}),
    ("(1,234)", "(1,234)", {"value": -1234.0, "unit": None, "kind": "number", "negative": True}),
    ("Other\t44.1\t(5)", "(5)", {"value": -5.0, "kind": "number", "negative": True}),
    # encyclopaedia (SQuAD)
    (SQUAD_SB, "24–10", {"value": 24.0, "unit": "score", "kind": "number", "range_to": 10.0}),
    (SQUAD_SB, "third", {"value": 3.0, "kind": "ordinal"}),
    (
        "The game was played on February 7, 2016, at Levi's Stadium in the San Francisco Bay Area at Santa Clara, "
        "California.",
        "February 7, 2016",
        {"value": 2016.0, "kind": "date"},
    ),
    (SQUAD_FRESNO, "520,159", {"value": 520159.0, "unit": None, "kind": "number", "period": "as of 2015"}),
    (SQUAD_FRESNO, "fifth", {"value": 5.0, "unit": "rank", "kind": "ordinal"}),
    (SQUAD_FRESNO, "34th", {"value": 34.0, "unit": "rank", "kind": "ordinal"}),
    ("The median age was 35.5 years.", "35.5 years", {"value": 35.5, "unit": "years", "kind": "duration"}),
    (
        "He is also the oldest quarterback ever to play in a Super Bowl at age 39.",
        "39",
        {"value": 39.0, "unit": "years", "kind": "duration"},
    ),
    (
        "on 18 February 1546, aged 62, in Eisleben, the city of his birth.",
        "18 February 1546",
        {"value": 1546.0, "kind": "date"},
    ),
    (
        "on 18 February 1546, aged 62, in Eisleben, the city of his birth.",
        "62",
        {"value": 62.0, "unit": "years", "kind": "duration"},
    ),
    (SQUAD_MARRIAGE, "41 years old", {"value": 41.0, "unit": "years", "kind": "duration"}),
    (
        SQUAD_DEBATES,
        "between 5 and 20 minutes",
        {"value": 5.0, "range_to": 20.0, "unit": "minutes", "kind": "duration"},
    ),
    (SQUAD_PLAGUE, "1629–1631", {"value": 1629.0, "range_to": 1631.0, "kind": "year"}),
    (SQUAD_PLAGUE, "1679", {"value": 1679.0, "kind": "year"}),
    (SQUAD_ABC, "2011–12", {"value": 2011.0, "range_to": 2012.0, "kind": "year"}),
    (SQUAD_ABC, "fourth", {"value": 4.0, "unit": "rank", "kind": "ordinal"}),
    (SQUAD_ABC, "18–49", {"value": 18.0, "range_to": 49.0, "unit": None, "kind": "number"}),
    (
        "Céloron's expedition force consisted of about 200 Troupes de la marine and 30 Indians.",
        "30 Indians",
        {"value": 30.0, "unit": "Indians", "kind": "count"},
    ),
    (
        SQUAD_FRENCH,
        "about 1.5 million",
        {"value": 1.5e6, "unit": None, "kind": "number", "qualifier": "about"},
    ),
    (
        "As of January 2016[update], the largest known prime number has 22,338,618 decimal digits.",
        "22,338,618 decimal digits",
        {"value": 22338618.0, "unit": "digits", "kind": "count", "period": "as of January 2016"},
    ),
    (
        "Oxygen was liquified in stable state for the first time on March 29, 1883 by Polish scientists from "
        "Jagiellonian University, Zygmunt Wróblewski and Karol Olszewski.",
        "March 29, 1883",
        {"value": 1883.0, "kind": "date"},
    ),
    (
        "On 31 October 1517, Luther wrote to his bishop, Albert of Mainz, protesting the sale of indulgences.",
        "31 October 1517",
        {"value": 1517.0, "kind": "date"},
    ),
    (
        "The mathematician Zhu Shijie (1249–1314) solved simultaneous equations with up to four unknowns using a "
        "rectangular array of coefficients, equivalent to modern matrices.",
        "up to four unknowns",
        {"value": 4.0, "unit": "unknowns", "kind": "count", "qualifier": "up to"},
    ),
    (
        "The SNP took 16 seats from Labour, with many of their key figures not returned to parliament, although Labour "
        "leader Iain Gray retained East Lothian by 151 votes.",
        "151 votes",
        {"value": 151.0, "unit": "votes", "kind": "count", "change": None},
    ),
    (
        SQUAD_NASA,
        "roughly $170 billion",
        {"value": 1.7e11, "kind": "money", "currency": "USD", "qualifier": "roughly"},
    ),
    (SQUAD_NASA, "2005", {"value": 2005.0, "kind": "year"}),
    (
        SQUAD_MODULE,
        "approximately 12,250 pounds",
        {"value": 12250.0, "unit": "pounds", "kind": "number", "currency": None},
    ),
    (SQUAD_MODULE, "5,560 kg", {"value": 5560.0, "unit": "kg", "kind": "number"}),
    (
        "This represented an increase of 70% on the previous contract and was said to be £1bn more than the company "
        "had expected to pay.",
        "70%",
        {"value": 70.0, "kind": "percent", "change": "increase"},
    ),
    (
        SQUAD_SKY,
        "£4.2bn",
        {"value": 4.2e9, "unit": "pounds", "kind": "money", "currency": "GBP", "period": "February 2015"},
    ),
    (SQUAD_SKY, "three seasons", {"value": 3.0, "unit": "seasons", "kind": "count"}),
    (
        SQUAD_AIRPORT,
        "over five million passengers",
        {"value": 5e6, "unit": "passengers", "kind": "count", "qualifier": "over"},
    ),
    (SQUAD_AIRPORT, "tenth", {"value": 10.0, "unit": "rank", "kind": "ordinal"}),
    (SQUAD_AIRPORT, "15 million", {"value": 1.5e7, "kind": "number", "period": "by 2030"}),
    (
        "In 1940, the Census Bureau reported Fresno's population as 94.0% white, 3.3% black and 2.7% Asian.",
        "94.0%",
        {"value": 94.0, "kind": "percent", "period": "1940"},
    ),
    (
        "By the 1840s, Britain had adopted a highly successful policy of free trade that gave it dominance in the "
        "trade of much of the world.",
        "1840s",
        {"value": 1840.0, "unit": "decade", "kind": "year"},
    ),
    (
        SQUAD_PRIME,
        "at least three distinct divisors",
        {"value": 3.0, "unit": "divisors", "kind": "count", "qualifier": "at least"},
    ),
    (SQUAD_PRIME, "greater than 2", {"value": 2.0, "kind": "number", "qualifier": "more than"}),
    (SQUAD_RECORD, "15–1", {"value": 15.0, "range_to": 1.0, "unit": "score", "kind": "number"}),
    # news-style sentences for the forms the sources above lack
    (
        NEWS_STATIONS,
        "more than 1.5 million 5G base stations",
        {"value": 1.5e6, "unit": "base stations", "kind": "count", "period": "by the end of 2021"},
    ),
    (
        NEWS_OUTPUT,
        "16.1 percent",
        {
            "value": 16.1,
            "kind": "percent",
            "change": "year-on-year increase",
            "period": "in the first half of 2022",
        },
    ),
    (
        NEWS_CONVERSION,
        "1.1 billion yuan",
        {"value": 1.1e9, "kind": "money", "currency": "CNY", "negative": False, "period": "2021"},
    ),
    (
        NEWS_CONVERSION,
        "US$170 million",
        {"value": 1.7e8, "unit": "US dollars", "kind": "money", "currency": "USD", "negative": False},
    ),
    (
        "China's economy grew 8.1 percent last year.",
        "8.1 percent",
        {"value": 8.1, "change": "increase", "period": "last year"},
    ),
    (
        "Analysts expect prices to rise 10 to 15 percent.",
        "10 to 15 percent",
        {"value": 10.0, "range_to": 15.0, "unit": "percent", "kind": "percent"},
    ),
    (
        "The bank forecasts 10-15% growth in lending.",
        "10-15%",
        {"value": 10.0, "range_to": 15.0, "kind": "percent", "change": "increase"},
    ),
    (
        "The scheme will reach between 3 and 5 million people.",
        "between 3 and 5 million people",
        {"value": 3e6, "range_to": 5e6, "unit": "people", "kind": "count"},
    ),
    (
        "Exports fell -5.2 percent in May.",
        "-5.2 percent",
        {"value": -5.2, "kind": "percent", "negative": True, "change": "decrease"},
    ),
    ("Costs decreased 2 percent from a year earlier.", "2 percent", {"value": 2.0, "change": "decrease"}),
    ("Sales grew by 3.2 percent.", "3.2 percent", {"value": 3.2, "change": "increase"}),
    ("Unemployment fell to 3.9 per cent.", "3.9 per cent", {"value": 3.9, "unit": "percent", "change": None}),
    (
        "The gap narrowed by 2 percentage points.",
        "2 percentage points",
        {"value": 2.0, "unit": "percentage points", "kind": "percent"},
    ),
    (
        "China ranked second in the world in data output.",
        "second",
        {"value": 2.0, "unit": "rank", "kind": "ordinal"},
    ),
    ("It was the 21st edition of the fair.", "21st", {"value": 21.0, "unit": None, "kind": "ordinal"}),
    (
        "The county has three hundred and forty two villages.",
        "three hundred and forty two villages",
        {"value": 342.0, "unit": "villages", "kind": "count"},
    ),
    ("A team of twenty-five engineers built it.", "twenty-five engineers", {"value": 25.0, "kind": "count"}),
    (
        "The port handles a dozen ships a day.",
        "a dozen ships",
        {"value": 12.0, "unit": "ships", "kind": "count"},
    ),
    (
        "Storage will reach 175 zettabytes by 2025.",
        "175 zettabytes",
        {"value": 175.0, "unit": "ZB", "kind": "data_size", "period": "by 2025"},
    ),
    (
        "The service must answer within 24 hours.",
        "24 hours",
        {"value": 24.0, "unit": "hours", "kind": "duration"},
    ),
    ("The plan runs for five years.", "five years", {"value": 5.0, "unit": "years", "kind": "duration"}),
    (
        "Tencent reported revenue of ¥135.5 billion in China.",
        "¥135.5 billion",
        {"value": 1.355e11, "unit": "yuan", "currency": "CNY"},
    ),
    (
        "Toyota earned ¥2.9 trillion in Japan.",
        "¥2.9 trillion",
        {"value": 2.9e12, "unit": "yen", "currency": "JPY"},
    ),
    (
        "The fund raised €250 million and £40m.",
        "€250 million",
        {"value": 2.5e8, "unit": "euros", "currency": "EUR"},
    ),
    (
        "Prices rose in mid-2022 and in the 1990s.",
        "mid-2022",
        {"value": 2022.0, "kind": "year", "qualifier": "mid"},
    ),
    ("The ferry to Bergen was terminated late 2008.", "late 2008", {"value": 2008.0, "qualifier": "late"}),
    # game clocks, glued scales before a counted noun, hyphenated counts, speeds, eras after a century (SQuAD)
    ("Denver took a 24–10 lead with 3:08 left.", "3:08", {"kind": "duration", "unit": "minutes"}),
    (
        "Kuechly led the team in tackles (118) and forced two fumbles.",
        "118",
        {"kind": "count", "unit": "tackles"},
    ),
    ("The defense ranked fourth in points allowed (296).", "296", {"kind": "count", "unit": "points"}),
    ("The final represented an audience of more than 25m people.", "more than 25m people", {"value": 2.5e7}),
    (
        "The quarter has a 12-screen Empire multiplex cinema.",
        "12-screen",
        {"kind": "count", "unit": "screen"},
    ),
    ("Winds diminished to 110 mph (180 km/h).", "180 km/h", {"value": 180.0, "unit": "km/h"}),
    ("It was conducted by the 2nd century BCE Greek writer Philo.", "2nd century BCE", {"kind": "year"}),
    # times of day (SQuAD): kind date, unit "time of day", value in hours after midnight
    (
        "An apoplectic stroke deprived him of his speech, and he died shortly afterwards at 2:45 a.m. on 18 "
        "February 1546, aged 62, in Eisleben, the city of his birth.",
        "2:45 a.m.",
        {"value": 2.75, "unit": "time of day", "kind": "date", "range_to": None},
    ),
    (
        "At 1 a.m. he awoke with more chest pain and was warmed with hot towels.",
        "1 a.m.",
        {"value": 1.0, "unit": "time of day", "kind": "date"},
    ),
    (
        "Each sitting day, normally at 5 pm, MSPs decide on all the motions and amendments that have been moved "
        "that day.",
        "5 pm",
        {"value": 17.0, "unit": "time of day", "kind": "date"},
    ),
    (
        "ABC News programming includes Good Morning America from 7:00 to 9:00 a.m. weekdays.",
        "7:00 to 9:00 a.m.",
        {"value": 7.0, "range_to": 9.0, "unit": "time of day", "kind": "date"},
    ),
    (
        "Sports programming is also provided on some weekend afternoons at any time from 12:00 to 6:00 p.m. "
        "Eastern Time.",
        "12:00 to 6:00 p.m.",
        {"value": 12.0, "range_to": 18.0, "unit": "time of day"},
    ),
    (
        "The park is open April through October, 6am to 10pm and November through March, 6am to 7pm.",
        "10pm",
        {"value": 22.0, "unit": "time of day", "kind": "date"},
    ),
    ("The office opens at 09:30 and closes at 17:00.", "17:00", {"value": 17.0, "unit": "time of day"}),
    # a part of a whole is a share ("five" alone would lose its meaning)
    (
        "The region is home to at least 40,000 plant species, 2,200 fishes, 1,294 birds, 427 mammals, 428 "
        "amphibians, and 378 reptiles; one in five of all the bird species in the world live in the rainforests.",
        "one in five",
        {"value": 20.0, "unit": "percent", "kind": "percent"},
    ),
    ("Around 1 in 10 households had access.", "Around 1 in 10", {"value": 10.0, "qualifier": "around"}),
    ("Two out of three voters agreed.", "Two out of three", {"kind": "percent", "range_to": None}),
]

# (sentence, texts that must not be (part of) any figure)
NOT_FIGURES: list[tuple[str, tuple[str, ...]]] = [
    (
        'Typical scenarios and key industry applications of "5G+ Industrial Internet" have increased, and new models '
        "such as digital factories and smart mines have emerged.",
        ("5",),
    ),
    (SEED_ZTE, ("5",)),
    (SEED_HUAWEI_ALLIANCE, ("2 Connect",)),
    (
        "The digital consumption of life services has become one of the major drivers of China's consumption growth, "
        "and the market scale of online car hailing and food delivery continues to expand.",
        ("one",),
    ),
    (
        '"The view is vivid. It looks like a three-dimensional blue and white porcelain," a participant said.',
        ("three",),
    ),
    ("China has built the world's largest 5G network, and its 4G users keep falling.", ("5", "4")),
    ("The COVID-19 pandemic accelerated digitalization.", ("19",)),
    ("Some companies are betting on Web 3.0 technologies.", ("3.0",)),
    (
        "For enquiries call +86 10 1234 5678 or 010-12345678 today.",
        ("86", "10", "1234", "5678", "010", "12345678"),
    ),
    ("Section 3.2 of Article 5 and Chapter 4 describe the rules.", ("3.2", "5", "4")),
    ("The G20 summit discussed the Airbus A380.", ("20", "380")),
    ("(1) Represents the write-off of certain spare parts.", ("(1)", "1")),
    (TAT_FORM, ("(1)", "8", "10")),
    (TAT_BCE_MARGIN, ("16", "Q4")),
    (
        "Grissom, White, and Chaffee decided to name their flight Apollo 1 as a motivational focus on the first manned "
        "flight.",
        ("1",),
    ),
    (
        "For the first time, the Super Bowl 50 Host Committee and the NFL have openly sought disabled veteran and "
        "lesbian, gay, bisexual and transgender-owned businesses in Business Connect.",
        ("50",),
    ),
    (SQUAD_PLAGUE, ("Thirty",)),
    (TAT_GOODWILL, ("third",)),
    ("Version 2.3.1 was released on 10:30 with a 1/2 discount.", ("2.3.1", "10", "30", "1/2")),
    # list and footnote markers in parentheses, even after a plural noun when a single digit
    ("The steps: (1) identify the contracts (2) identify the obligations.", ("1", "2")),
    # a bare "h:mm" is a time only after "at", "until", ...: a verse and a ratio are not times (and a game
    # clock, "3:08 left", is a duration: see CASES)
    (
        "He quoted Matthew 16:18 and mixed the mortar 3:1; the score stood at 24:10.",
        ("16:18", "3:1", "24", "10"),
    ),
    ("I am sure it cost 5 a month.", ("am",)),
]


def _figure(text: str, surface: str) -> Figure:
    figures = extract_figures(text)
    matches = [f for f in figures if f.text == surface]
    assert matches, f"{surface!r} not among {[f.text for f in figures]}"
    return matches[0]


@pytest.mark.parametrize(("sentence", "surface", "expected"), CASES, ids=[c[1] for c in CASES])
def test_figure_fields(sentence: str, surface: str, expected: dict[str, object]) -> None:
    figure = _figure(sentence, surface)
    assert sentence[figure.start : figure.end] == figure.text
    for field, want in expected.items():
        got = getattr(figure, field)
        if isinstance(want, float) and got is not None:
            assert math.isclose(got, want, rel_tol=1e-9), (field, got, want)
        else:
            assert got == want, (field, got, want)


@pytest.mark.parametrize(
    ("sentence", "forbidden"), NOT_FIGURES, ids=[str(i) for i in range(len(NOT_FIGURES))]
)
def test_not_figures(sentence: str, forbidden: tuple[str, ...]) -> None:
    figures = extract_figures(sentence)
    for bad in forbidden:
        at = sentence.index(bad)
        overlapping = [f.text for f in figures if f.start < at + len(bad) and at < f.end]
        assert not overlapping, (bad, overlapping)


def test_case_count_covers_every_kind() -> None:
    assert len(CASES) >= 70
    kinds = {str(expected["kind"]) for _, _, expected in CASES if "kind" in expected}
    assert kinds == set(KINDS)


def test_conversion_gives_two_positive_figures() -> None:
    figures = [f for f in extract_figures(NEWS_CONVERSION) if f.kind == "money"]
    assert [(f.currency, f.value, f.negative) for f in figures] == [
        ("CNY", 1.1e9, False),
        ("USD", 1.7e8, False),
    ]


def test_percent_year_on_year_is_not_years() -> None:
    figures = extract_figures(NEWS_OUTPUT)
    assert all(f.unit != "years" for f in figures)


def test_years_in_period_phrases_are_figures_too() -> None:
    kinds = [(f.text, f.kind) for f in extract_figures(NEWS_STATIONS)]
    assert kinds == [("2021", "year"), ("more than 1.5 million 5G base stations", "count")]


def test_to_dict_is_json_ready_with_all_fields() -> None:
    figure = _figure(SEED_GDP, "45.5 trillion yuan")
    data = figure.to_dict()
    assert json.loads(json.dumps(data)) == data
    assert set(data) == {
        "text", "start", "end", "value", "unit", "kind", "currency", "qualifier", "range_to", "change", "period",
        "negative",
    }  # fmt: skip


def test_lookup_unit_and_counted_noun() -> None:
    assert lookup_unit("per  cent") == ("percent", "percent", None)
    assert lookup_unit("RMB") == ("money", "yuan", "CNY")
    assert lookup_unit("mb") is None  # units written in capitals match only as written
    assert counted_noun("5G base stations does China have?") == "base stations"
    assert counted_noun("of the people") is None


def test_empty_and_figure_free_text() -> None:
    assert extract_figures("") == []
    assert extract_figures("No numbers here at all.") == []


@pytest.mark.parametrize(
    "text",
    [
        "1" * 10000,
        "1," * 5000,
        "1." * 5000,
        "(1,234) " * 5000,
        "." * 50000,
        "1" + " " * 50000 + "x",
        "between 1 and " * 3000,
    ],
    ids=["ones", "commas", "dots", "negatives", "periods", "spaces", "ranges"],
)
def test_adversarial_text_is_fast(text: str) -> None:
    # CPU time of this process, not wall time: a loaded machine must not fail it, a quadratic pattern
    # (tens of seconds at these sizes) still does
    started = time.process_time()
    figures = extract_figures(text)
    assert time.process_time() - started < 3.0
    assert all(text[f.start : f.end] == f.text for f in figures)


def test_fifty_kilobytes_well_under_a_second() -> None:
    text = " ".join(
        [SEED_GDP, SEED_JUNE, SEED_MSMES, SEED_DATA, SEED_HUAWEI, TAT_REVENUE, TAT_LOSS, SQUAD_SB] * 40
    )
    assert len(text) > 50_000
    started = time.process_time()
    figures = extract_figures(text)
    assert time.process_time() - started < 3.0  # CPU seconds; about 0.3 on an idle machine
    assert len(figures) > 500


def _check_invariants(text: str) -> None:
    figures = extract_figures(text)
    end = 0
    for f in figures:
        assert text[f.start : f.end] == f.text
        assert end <= f.start < f.end
        assert f.kind in KINDS
        assert f.value is None or math.isfinite(f.value)
        end = f.end


_TRICKY = st.sampled_from(
    [*"0123456789 ,.-–()$€£¥%/:+\n\t", "million", " percent", " to ", " and ", "between ", "more than ", " yuan",
     "one ", "twenty-", "first", "June ", "2021", "🙂", "مرحبا", "年", "−", "\u200f", "Section ", "FY", "Q4 ",
     " years", "-old", " year-on-year", "up ", "5G", "bn", "m", "k", "(US$", "As of ", "in "]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_never_raises_on_any_text(text: str) -> None:
    _check_invariants(text)


@settings(max_examples=400, deadline=None)
@given(st.lists(_TRICKY, max_size=40).map("".join))
def test_never_raises_on_figure_like_text(text: str) -> None:
    _check_invariants(text)


_SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}


@settings(max_examples=200, deadline=None)
@given(
    st.decimals(min_value="0.01", max_value="999999.99", places=2),
    st.sampled_from(sorted(_SCALES)),
    st.sampled_from(["", "$", "€", "US$"]),
)
def test_scaled_numbers_round_trip(number: object, scale: str, currency: str) -> None:
    surface = f"{currency}{number:,} {scale}"
    text = f"The total came to {surface} last year."
    figures = extract_figures(text)
    assert [f.text for f in figures] == [surface]
    assert figures[0].value is not None
    assert math.isclose(figures[0].value, float(str(number)) * _SCALES[scale], rel_tol=1e-12)
    assert figures[0].kind == ("money" if currency else "number")


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=10**15))
def test_integers_with_separators_round_trip(number: int) -> None:
    figures = extract_figures(f"It reached {number:,} tonnes.")
    assert len(figures) == 1
    assert figures[0].value == float(number)


# --- figures for answers: times, spans of years, parts of a count, listed periods ---------------------------


@pytest.mark.parametrize(
    ("sentence", "surface", "expected"),
    [
        (
            "Earthenware type was invented in the 12th century.",
            "12th century",
            {"kind": "year", "unit": "century"},
        ),
        (
            "Audiences peaked in the late 1970s.",
            "late 1970s",
            {"kind": "year", "qualifier": "late", "value": 1970.0},
        ),
        (
            "It began in the early 11th century.",
            "early 11th century",
            {"value": 1000.0, "qualifier": "early"},
        ),
        ("The wars were fought from 1562 to 1598.", "1562 to 1598", {"kind": "year", "range_to": 1598.0}),
        ("McManus kicked a 33-yard field goal.", "33-yard", {"kind": "number", "unit": "yards"}),
        ("The land area is 874.3 square miles.", "874.3 square miles", {"unit": "square miles"}),
        ("It weighed 15,100 kgs.", "15,100 kgs", {"unit": "kg"}),
        ("The Group reported gains of RMB77 million.", "RMB77 million", {"kind": "money", "currency": "CNY"}),
        ("It invested approximately USD500 million.", "approximately USD500 million", {"value": 5e8}),
        (
            "In the 1530s and 1540s, printed images of Luther were crucial to the spread of Protestantism.",
            "1530s and 1540s",
            {"kind": "year", "unit": "decade", "value": 1530.0, "range_to": 1540.0},
        ),
        (
            "Largely developed in the 1950s through the 1970s, it has recently seen new construction.",
            "1950s through the 1970s",
            {"kind": "year", "range_to": 1970.0},
        ),
        (
            "It is home to several public housing developments built between the 1960s and 1990s.",
            "between the 1960s and 1990s",
            {"kind": "year", "value": 1960.0},
        ),
        (
            "Luther's writings against the Jews were largely ignored in the 18th and 19th centuries.",
            "18th and 19th centuries",
            {"kind": "year", "unit": "century", "value": 1700.0, "range_to": 1800.0},
        ),
        (
            "Between about 1964 and 1973, large amounts of older material were destroyed.",
            "Between about 1964 and 1973",
            {"kind": "year", "value": 1964.0, "range_to": 1973.0},
        ),
        (
            "The average plant biomass is estimated at 356 ± 47 tonnes per hectare.",
            "356 ± 47 tonnes",
            {"value": 356.0, "unit": "tonnes"},
        ),
        (
            "Free oxygen reached 10% of its present level around 1.7 billion years ago.",
            "around 1.7 billion years ago",
            {"kind": "duration", "value": 1.7e9},
        ),
        (
            "Germanic tribes conquered Celtic peoples, and by 800 CE formed an empire.",
            "800 CE",
            {"kind": "year"},
        ),
        (
            "Geoglyphs were found on land dating between AD 0–1250.",
            "AD 0–1250",
            {"kind": "year", "range_to": 1250.0},
        ),
        ("The city was founded in 500 BC by settlers.", "500 BC", {"kind": "year", "value": -500.0}),
        ("Defensive ends Derek Wolfe and Malik Jackson each had 5½ sacks.", "5½ sacks", {"value": 5.5}),
        ("Oxygen condenses at 90.20 K (−182.95 °C, −297.31 °F).", "90.20 K", {"unit": "kelvin"}),
        ("The partial pressure in the breathing gas is about 30 kPa.", "about 30 kPa", {"unit": "kPa"}),
        ("The second stage produced 200,000 lbf (890 kN) of thrust.", "200,000 lbf", {"unit": "lbf"}),
        (
            "The winner will also receive a large, 18-karat gold-plated trophy.",
            "18-karat",
            {"unit": "karats"},
        ),
        # a span of dates is one date, dated by the year it starts in (and the year it ends in, if other)
        (
            "The massacres lasted from 24 August – 3 October 1572 across France.",
            "24 August – 3 October 1572",
            {"kind": "date", "value": 1572.0, "range_to": None},
        ),
        (
            "The festival ran between 12 and 15 June 2021 in Basel.",
            "between 12 and 15 June 2021",
            {"kind": "date", "value": 2021.0, "range_to": None},
        ),
        ("It was held 12–15 June 2021.", "12–15 June 2021", {"kind": "date", "value": 2021.0}),
        ("The talks ran from 3 to 5 May.", "3 to 5 May", {"kind": "date", "value": None}),
        (
            "The strike lasted from 30 December 2019 to 2 January 2020.",
            "30 December 2019 to 2 January 2020",
            {"kind": "date", "value": 2019.0, "range_to": 2020.0},
        ),
    ],
)
def test_figures_that_answers_need(sentence: str, surface: str, expected: dict[str, object]) -> None:
    figure = _figure(sentence, surface)
    for field, want in expected.items():
        assert getattr(figure, field) == want, (field, getattr(figure, field), want)


@pytest.mark.parametrize(
    ("sentence", "surfaces"),
    [
        # "and" joins two dates only after "between"; a year and a date are two figures
        ("He served on 1 and 2 June.", ["1", "2 June"]),
        ("Growth was fastest in 2020 to 3 June.", ["2020", "3 June"]),
        ("Flight A-15 June 2020 left late.", []),  # an id, and no date span
        ("On 3 June 2020 – 4 people came.", ["3 June 2020", "4 people"]),
    ],
)
def test_dates_that_are_not_one_span(sentence: str, surfaces: list[str]) -> None:
    assert [f.text for f in extract_figures(sentence)] == surfaces


@pytest.mark.parametrize(
    ("sentence", "texts"),
    [
        ("The show aired in 1964 and 1973 on other channels.", ["1964", "1973"]),  # two years, not a span
        ("The cameras were upgraded to 5K resolution.", []),  # "5K" is no temperature
    ],
)
def test_times_that_stay_apart(sentence: str, texts: list[str]) -> None:
    assert [f.text for f in extract_figures(sentence)] == texts


def test_a_change_from_one_amount_to_another_is_still_two_figures() -> None:
    texts = [f.text for f in extract_figures("The share rose from 10 to 15 percent.")]
    assert texts == ["10", "15 percent"]


def test_the_part_counts_what_the_whole_counts() -> None:
    figures = extract_figures("The ceremony featured 39 of the 43 previous Super Bowl players.")
    assert [(f.text, f.kind, f.unit) for f in figures] == [
        ("39", "count", "players"),
        ("43 previous Super Bowl players", "count", "players"),
    ]


def test_listed_amounts_take_their_periods_respectively() -> None:
    assert [(f.text, f.period) for f in extract_figures(TAT_TAXES) if f.kind == "money"] == [
        ("$418,000", "fiscal 2019"),
        ("$47.2 million", "fiscal 2018"),
        ("$17.6 million", "fiscal 2017"),
    ]
    assert [f.period for f in extract_figures(TAT_CLIENTS) if f.kind == "percent"] == [
        "December 31, 2019",
        "2018",
        "2017",
    ]


def test_an_id_glued_to_capitals_is_still_not_a_figure() -> None:
    assert extract_figures("Use the code ABC123 and the part G20.") == []


def test_in_between_two_numbers_is_a_share_only_in_the_idioms_forms() -> None:
    figures = extract_figures("Ohio ranked 3 in 50 states, and sales rose 3 in 2021; 3 in 10 adults agreed.")
    assert [(f.text, f.kind) for f in figures] == [
        ("3", "number"),
        ("50 states", "count"),
        ("3", "number"),
        ("2021", "year"),
        ("3 in 10", "percent"),
    ]
    assert math.isclose(figures[-1].value or 0.0, 30.0)
