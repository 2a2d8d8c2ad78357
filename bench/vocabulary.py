"""The generator's vocabulary, as data: words, names, templates, sizes and URL shapes.

Tech-news words and companies for titles and sentences (so full-text search has
real terms), made-up words that only one item in fifty carries, the topic tree,
a few well-known providers and the parts of made-up ones, and the frequencies of
picture sizes seen in the real corpus.
"""

from __future__ import annotations

from itertools import accumulate


def words(text: str, sep: str | None = None) -> tuple[str, ...]:
    return tuple(w.strip() for w in text.split(sep) if w.strip())


def semicolons(text: str) -> tuple[str, ...]:
    return words(text, ";")


RARE_WORDS = words("""zorbulate quixalith vermiglade snarvelo plinthwick gromulent brixtonel
yarrowisk fjelmquist oozlebart caddlewump thrumbly""")  # made up: in no other text

NOUNS = words("""
platform model chip network cloud server browser update feature app device smartphone laptop
tablet startup regulator lawsuit privacy policy breach ransomware vulnerability patch framework
library database algorithm dataset robot drone satellite rocket battery sensor camera display
processor GPU memory storage bandwidth subscription marketplace developer engineer researcher
customer partner investor merger acquisition earnings revenue forecast outage incident report
benchmark assistant chatbot agent pipeline workflow dashboard analytics compiler runtime kernel
container cluster workload firmware protocol standard encryption password identity token wallet
payment blockchain exchange headset console studio stream creator advertiser campaign election
antitrust tariff factory wafer transistor qubit telescope mission grid turbine charger vehicle
autopilot search index feed timeline newsletter podcast spreadsheet connector portal form plugin
extension toolkit repository license roadmap preview release beta version copilot keyboard
router modem fiber datacenter backup migration integration deployment observability telemetry""")
VERBS = words("""
launch unveil ship acquire block ban fine sue patch expand cut raise test delay rebuild open
retire scale secure redesign migrate integrate automate accelerate simplify replace challenge
rethink overhaul upgrade invest pilot certify license deprecate benchmark train deploy monitor
audit track restrict approve reject investigate fix preview rename bundle unify""")
ADJS = words("""
new faster cheaper open-source secure private generative autonomous quantum hybrid modular
native real-time low-code no-code scalable distributed federated encrypted experimental
flagship budget premium foldable wireless portable sustainable massive tiny critical unexpected
controversial long-awaited major global regional mobile enterprise consumer serverless
cloud-native smart digital virtual immersive responsive efficient robust legacy offline""")
COMPANIES = semicolons("""Microsoft;Google;Apple;Amazon;Meta;Nvidia;Intel;AMD;Samsung;IBM;Oracle;
Salesforce;Adobe;Netflix;Spotify;Tesla;OpenAI;Anthropic;Cisco;Dell;Sony;Nintendo;Qualcomm;Arm;
TSMC;Huawei;Xiaomi;Baidu;Alibaba;SAP;Siemens;Stripe;Shopify;Zoom;GitHub;Mozilla;Red Hat""")
PRODUCTS = semicolons("""Power Apps;Power BI;Teams;Azure;Windows 11;Copilot;Gemini;Android;iOS;
macOS;Chrome;Firefox;Kubernetes;Docker;Python;Rust;TypeScript;PostgreSQL;SQLite;Linux;Xbox;
PlayStation;Pixel;iPhone;Galaxy;Vision Pro;Quest;ChatGPT;Claude;Llama;Dynamics 365;SharePoint;
Excel;Outlook;VS Code;Raspberry Pi;Starlink""")
PLACES = semicolons("""Canada;Europe;Britain;India;Japan;Brazil;São Paulo;Zürich;Montréal;Québec;
Kraków;Malmö;Reykjavík;Düsseldorf;Bogotá;Texas;California;Singapore;Nairobi;Seoul""")
TITLES = semicolons("""{C} {S} {A} {N} for {P};{C}’s {A} {N} could {V} the {N} market;
How {P} is changing the {A} {N};{P} gets a {A} {N} and a {A} {N};{C} {S} {N} in {L};
The {A} {N} from {C} is finally here;Exclusive: {C} in talks to {V} {A} {N} maker;
Review: {P} is a {A} {N} with a {A} {N};{P} {N} | {Y} release wave {D} overview;
“{A} {N}”: {C} {S} {P} in {L};{C} to {V} {N} in {L} after {N} {N};Hands-on with {P}: {A}, {A};
#{D} things to know about the {A} {P} {N};Regulators in {L} {V} {C}'s {N} deal;
Analyst says {C} "{A} {N}" is a risky bet;{P} bug mangles {A} paths like C:\\Users\\{N};
Café-grade {N}? {C} bets on a {A} {N};{C} {S} {N} as {N} sales slip {D}%;
{C} {S} {A} {N}, {A} {N} at {N} event;{C} and {C} team up to {V} the {A} {N};
Why the {A} {N} matters for {C}""")
SENTENCES = semicolons("""{C} said it will {V} its {A} {N} in {L} later this year.;
The {A} {N} lets every {N} {V} the {N} without a {N}.;{C} declined to comment on the {A} {N}.;
According to the {N}, the {N} could {V} {N} costs by {D}0 percent.;
Critics argue the {N} is too {A} to {V} the {N}.;Analysts expect the {N} to {V} {N} in {Y}.;
It is the company’s first {A} {N} since the {N} of {P}.;“We want to {V} the {N},” {C} said.;
{P} users will be able to {V} a {N} directly from the {N}.;The {N} costs ${D}9 a month.;
The update arrives as {C} and {C} race to {V} the {A} {N}.;
Developers can {V} the {N} with a {A} {N} and a {A} {N}.;
Here are the capabilities covered: {N}, {N} and {A} {N}.;
The {N} is available in preview for {P} customers in {L}.""")
TOPIC_TREE = {root: kids.split(", ") for root, kids in (t.split(": ") for t in semicolons("""
AI: Machine Learning, Computer Vision, Natural Language Processing, Generative AI, Robotics
Cloud: Kubernetes, Serverless, Cloud Storage, Edge Computing
Security: Ransomware, Privacy, Zero Trust, Vulnerabilities, Identity
Developer Tools: Programming Languages, Open Source, DevOps, C# & .NET, Low-code
Data: Databases, Analytics, Data Engineering;Mobile: Android, iOS, Wearables
Hardware: Semiconductors, PCs & Laptops, Quantum Computing;Gaming: Consoles, Esports
Business: Startups, Funding, Regulation, Earnings, M&A;Science & Space: Space, Climate, Energy
Power Platform: Power Apps, Power Automate, Power BI""".replace("\n", ";")))}  # fmt: skip
TOPICS: list[tuple[str, str | None]] = [(root, None) for root in TOPIC_TREE]
TOPICS += [(kid, root) for root, kids in TOPIC_TREE.items() for kid in kids]
SHORTNAMES = {"Machine Learning": "ML", "Natural Language Processing": "NLP",
              "Generative AI": "GenAI", "Quantum Computing": "Quantum"}  # fmt: skip
KNOWN_PROVIDERS = [
    p.split("=")
    for p in semicolons("""Microsoft=microsoft.com;
The Verge=theverge.com;TechCrunch=techcrunch.com;Wired=wired.com;Ars Technica=arstechnica.com;
ZDNet=zdnet.com;Engadget=engadget.com;The Next Web=thenextweb.com;Wall Street Journal=wsj.com;
Reuters=reuters.com;Bloomberg=bloomberg.com;BBC=bbc.com;CNBC=cnbc.com;GeekWire=geekwire.com;
VentureBeat=venturebeat.com;InfoWorld=infoworld.com;Threat Post=threatpost.com;
Neowin=neowin.net;Windows Central=windowscentral.com;TechRadar=techradar.com;Forbes=forbes.com;
Dark Reading=darkreading.com;Tom’s Hardware=tomshardware.com;9to5Mac=9to5mac.com;
MIT Technology Review=technologyreview.com;Les Échos=lesechos.fr;El País=elpais.com;
Süddeutsche Zeitung=sueddeutsche.de;heise online=heise.de;On MSFT=onmsft.com""")
]
PREFIXES = words("""Cloud Data Byte Silicon Quantum Pixel Circuit Kernel Signal Vector Tensor
Stack Packet Orbit Neon Binary Cipher Lambda Fiber Photon Logic Matrix Nano Hyper Cyber Open
Bright Swift Atlas Nimbus Cobalt Copper Pioneer Harbor Summit Meridian Polar Tidal Zenith Echo""")
SUFFIXES = words("""Wire Times Daily Report Insider Journal Herald Post Review Digest Gazette
Monitor Weekly Chronicle Beat Hub Today Observer Dispatch Ledger Brief Pulse Lab Radar Current""")
REGIONS = (("", ""), (" Europe", "-eu"), (" Asia", "-asia"), (" Africa", "-af"), (" Latam", "-la"))
TLDS = (".com", ".com", ".com", ".net", ".io", ".co.uk", ".org", ".de")
SIZES = ((1200, 630), (1600, 1600), (1280, 720), (1200, 800), (647, 450), (1024, 768),
          (400, 400), (1200, 675), (760, 428), (1200, 600), (1920, 1080), (800, 600))  # fmt: skip
SIZE_CUM = [x / 309 for x in accumulate((167, 66, 21, 19, 6, 5, 5, 5, 4, 4, 4, 3))]
URLS = ("https://www.{d}/{day}/{slug}/", "https://{d}/news/{slug}-{n}",
         "https://www.{d}/articles/{slug}-{n}0{n}", "https://{d}/tech/{day}/{slug}/")  # fmt: skip
IFRAME = ('<iframe width="800" height="500" frameborder="0" src="https://www.youtube.com/embed/'
           '{}" allow="accelerometer; autoplay; encrypted-media; gyroscope; picture-in-picture" '
           "allowfullscreen></iframe>")  # fmt: skip
CREDITS = ("Getty Images", "Reuters", "AP Photo", "Shutterstock", "Unsplash")
EXTS, ENDS = ("jpg", "jpg", "jpg", "png", "webp"), ("...", " ...", "…", "")
B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
RELATED_KEYS = ("title", "excerpt", "publishedDateTime", "webUrl", "ampWebUrl", "cdnAmpWebUrl",
                 "type", "provider", "quality", "images")  # fmt: skip
LOGO_BASE = "https://static.newsgraph.example/assets/images/organizations/"
POOLS = {"C": COMPANIES, "P": PRODUCTS, "N": NOUNS, "A": ADJS, "V": VERBS, "L": PLACES,
          "S": tuple(v + "es" if v.endswith(("s", "sh", "ch", "x")) else v + "s" for v in VERBS),
          "D": tuple("23456789"), "Y": ("2025", "2026", "2027", "2028")}  # fmt: skip
