"""The demo campaigns: drawn from the campaigns that followed #MeToo (DESIGN.md section 1)."""

from datetime import UTC, datetime

D = datetime

DEMO_USERS = [
    ("admin@groundswell.example", "Ada Admin", "admin", "demo admin rocks ledger 41"),
    ("organizer@groundswell.example", "Olivia Organizer", "member", "demo organizer river 73"),
    ("supporter@groundswell.example", "Sam Supporter", "member", "demo supporter meadow 29"),
]

CATEGORIES = [
    ("workplace", "Workplace"), ("education", "Education"), ("culture", "Culture and media"),
    ("safety", "Public safety"), ("justice", "Justice"), ("health", "Health"),
]  # fmt: skip

CAMPAIGNS = [
    {
        "slug": "usc-refuse-weinstein-pledge",
        "title": "USC: refuse Harvey Weinstein's $5 million pledge",
        "summary": "Students ask the University of Southern California not to take a $5 million "
        "pledge for its film school from Harvey Weinstein.",
        "body": "We are students of the **USC School of Cinematic Arts**.\n\n"
        "Harvey Weinstein pledged $5 million to fund women filmmakers at our school. "
        "Taking that money would honour a man accused of abusing the women this fund claims to "
        "support.\n\nWe ask the university to **turn the pledge down**.",
        "category": "education", "country": "US", "goal": 1000,
        "status": "victory", "published": D(2017, 10, 10, tzinfo=UTC), "signatures": 598,
        "decision_makers": [("Elizabeth M. Daley", "Dean", "USC School of Cinematic Arts")],
        "milestones": [(100, "First 100 signatures"), (500, "500 students and alumni")],
        "victory": ("USC announced it would not accept the pledge.",
                    "https://www.usc.edu/"),
        "response": (D(2017, 10, 13, 12, tzinfo=UTC),
                     "The School of Cinematic Arts will not accept the pledge.",
                     "https://cinema.usc.edu/"),
    },
    {
        "slug": "academy-expel-weinstein",
        "title": "Academy: expel Harvey Weinstein",
        "summary": "Ask the Academy of Motion Picture Arts and Sciences to revoke Harvey "
        "Weinstein's membership.",
        "body": "Dozens of women have described abuse by Harvey Weinstein.\n\n"
        "Membership of the Academy is an honour. We ask its Board of Governors to "
        "**expel him** and to adopt a code of conduct for all members.",
        "category": "culture", "country": "US", "goal": 100000,
        "status": "victory", "published": D(2017, 10, 11, tzinfo=UTC), "signatures": 140000,
        "decision_makers": [("Board of Governors", None,
                             "Academy of Motion Picture Arts and Sciences")],
        "milestones": [(10000, "10,000 signatures"), (100000, "100,000 signatures")],
        "victory": ("The Board of Governors voted to expel Harvey Weinstein.",
                    "https://www.oscars.org/"),
    },
    {
        "slug": "farmworker-women-safe-fields",
        "title": "Protect farmworker women from harassment in the fields",
        "summary": "Farmworker women ask growers and the Department of Labor for reporting "
        "channels that do not cost them their jobs.",
        "body": "Women who pick our food face harassment far from any office. Reporting it "
        "can mean losing work and housing.\n\nWe ask for:\n\n- confidential reporting "
        "lines in Spanish and Indigenous languages\n- protection from retaliation\n- "
        "training for every crew supervisor",
        "category": "workplace", "country": "US", "goal": 25000,
        "status": "open", "published": D(2026, 9, 1, tzinfo=UTC), "signatures": 3120,
        "featured": True,
        "decision_makers": [("Secretary of Labor", "Secretary", "US Department of Labor")],
        "milestones": [(1000, "1,000 signatures"), (10000, "10,000 signatures")],
    },
    {
        "slug": "uk-duty-to-prevent-harassment",
        "title": "UK: make every employer prevent sexual harassment",
        "summary": "Ask the UK government to enforce a duty on employers to take active steps "
        "against workplace sexual harassment.",
        "body": "Most people harassed at work never report it. A duty to **prevent** "
        "harassment, enforced by inspection, changes who carries the burden.",
        "category": "workplace", "country": "GB", "goal": 100000,
        "status": "open", "published": D(2026, 10, 15, tzinfo=UTC), "signatures": 1840,
        "decision_makers": [("Secretary of State for Business and Trade", None, "UK Government")],
        "milestones": [(10000, "10,000: the government must respond")],
    },
    {
        "slug": "france-harcelement-de-rue",
        "title": "Mettre fin au harcèlement dans les transports",
        "summary": "Des agents formés et un numéro d'alerte dans chaque réseau de transport.",
        "body": "Dans les transports en commun, le harcèlement est quotidien.\n\nNous "
        "demandons un **numéro d'alerte unique** et des agents formés sur chaque ligne.",
        "category": "safety", "country": "FR", "goal": 50000,
        "status": "open", "published": D(2026, 11, 2, tzinfo=UTC), "signatures": 760,
        "language": "fr",
        "decision_makers": [("Ministre chargé des Transports", None, "Gouvernement français")],
        "milestones": [(1000, "1 000 signatures")],
    },
    {
        "slug": "india-internal-committees",
        "title": "India: an Internal Committee in every workplace",
        "summary": "Ask the Ministry of Women and Child Development to audit compliance with "
        "the POSH Act's Internal Committees.",
        "body": "The law requires an Internal Committee wherever ten or more people work. "
        "Many workplaces have none. We ask for a public audit.",
        "category": "workplace", "country": "IN", "goal": 50000,
        "status": "pending_review", "published": None, "signatures": 0,
        "decision_makers": [("Minister of Women and Child Development", None,
                             "Government of India")],
        "milestones": [],
    },
]  # fmt: skip

FIRST_NAMES = [
    "Maria", "Aisha", "Priya", "Chloé", "Emma", "Lucía", "Olivia", "Fatima", "Grace", "Mei",
    "James", "Ravi", "Louis", "Noah", "Sofia", "Amara", "Hannah", "Yuki", "Zara", "Camille",
]  # fmt: skip
LAST_NAMES = [
    "Garcia", "Khan", "Sharma", "Martin", "Smith", "Lopez", "Johnson", "Ali", "Brown", "Chen",
    "Patel", "Dubois", "Williams", "Nguyen", "Okafor", "Rossi", "Singh", "Kim", "Evans", "Moreau",
]  # fmt: skip
COUNTRIES = ["US", "US", "US", "GB", "FR", "IN", "CA", "MX"]
# Some signers say why they signed; most do not.
REASONS = [
    "This happened to a friend of mine, and nobody listened.",
    "Because everyone deserves to feel safe at work.",
    "I was a student there. It has to change.",
    "Small changes like this make a real difference.",
    "My family depends on this.",
    "Signing for my daughter.",
]
