//! Deterministic sample customers for the F&O emulator, so large volumes can be tried offline
//! without posting every row over HTTP.

use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};

pub(crate) const PREFIXES: &[&str] = &[
    "Northwind",
    "Fabrikam",
    "Contoso",
    "Adatum",
    "Litware",
    "Tailspin",
    "Wingtip",
    "Proseware",
    "Lucerne",
    "Alpine",
    "Coho",
    "Fourth Coffee",
    "Humongous",
    "Margie's",
    "Trey",
    "Woodgrove",
    "Blue Yonder",
    "Wide World",
    "Graphic Design",
    "Relecloud",
    "VanArsdel",
    "Southridge",
    "Lamna",
    "Bellows",
];

/// Optional middle words; an empty entry keeps some names short like real ones.
const QUALIFIERS: &[&str] = &[
    "",
    "",
    "",
    "",
    "Northern",
    "Pacific",
    "Atlantic",
    "Global",
    "Continental",
    "Metro",
    "Coastal",
    "Central",
    "Highland",
    "Harbor",
    "Summit",
    "Evergreen",
    "Redwood",
    "Lakeside",
    "Riverside",
    "Capital",
    "Union",
];

const CORES: &[&str] = &[
    "Traders",
    "Logistics",
    "Foods",
    "Industries",
    "Outfitters",
    "Systems",
    "Partners",
    "Works",
    "Supply",
    "Holdings",
    "Distribution",
    "Electronics",
    "Motors",
    "Textiles",
    "Pharma",
    "Retail",
];

const SUFFIXES: &[&str] = &["Ltd", "Inc", "GmbH", "LLC", "AG", "BV", "Corp", "SA"];

/// Weighted towards the smaller groups, as in the F&O demo data where group 10 dominates.
const GROUPS: &[(&str, u32)] = &[("10", 40), ("20", 30), ("30", 20), ("40", 10)];

const CREDIT_LIMITS: &[i64] = &[
    0, 0, 5_000, 10_000, 15_000, 20_000, 25_000, 50_000, 75_000, 100_000, 150_000, 200_000, 250_000,
];

const MEMOS: &[&str] = &[
    "Key account.",
    "Prefers invoices by email.",
    "Seasonal orders.",
    "Check credit before release.",
    "Deliver to the rear dock.",
];

/// US area codes used for phone numbers; the 555-01xx exchange is reserved for fiction.
const AREA_CODES: &[&str] = &["425", "206", "212", "312", "415", "617", "702", "305"];

/// Payment terms every company gets, with descriptions; customers pick from these.
pub(crate) const PAYMENT_TERMS: &[(&str, &str)] = &[
    ("Net10", "Net 10 days"),
    ("Net30", "Net 30 days"),
    ("Net45", "Net 45 days"),
    ("COD", "Cash on delivery"),
];

/// Customer groups every company gets; the ids match [`GROUPS`].
pub(crate) const CUSTOMER_GROUPS: &[(&str, &str)] = &[
    ("10", "Wholesale customers"),
    ("20", "Major customers"),
    ("30", "Retail customers"),
    ("40", "Internet customers"),
];

/// Currencies the generator uses: code, name, symbol.
pub(crate) const CURRENCIES: &[(&str, &str, &str)] = &[
    ("EUR", "Euro", "€"),
    ("GBP", "Pound sterling", "£"),
    ("USD", "US dollar", "$"),
    ("CAD", "Canadian dollar", "$"),
];

const STREETS: &[&str] = &[
    "Main Street",
    "Station Road",
    "Church Lane",
    "Harbour View",
    "Market Square",
    "Mill Road",
    "Park Avenue",
    "High Street",
    "Elm Drive",
    "Lake Shore Road",
];

/// Cities by country, with a state or region where the country uses one.
const CITIES: &[(&str, &[(&str, &str)])] = &[
    (
        "USA",
        &[
            ("Seattle", "WA"),
            ("Chicago", "IL"),
            ("Boston", "MA"),
            ("Miami", "FL"),
            ("Denver", "CO"),
        ],
    ),
    (
        "DEU",
        &[
            ("Berlin", ""),
            ("Hamburg", ""),
            ("Munich", ""),
            ("Cologne", ""),
        ],
    ),
    (
        "GBR",
        &[
            ("London", ""),
            ("Manchester", ""),
            ("Leeds", ""),
            ("Bristol", ""),
        ],
    ),
    (
        "CAN",
        &[("Toronto", "ON"), ("Vancouver", "BC"), ("Montreal", "QC")],
    ),
];

/// One generated customer, in the field vocabulary of `CustomersV3`.
pub(crate) struct Customer {
    pub company: &'static str,
    pub account: String,
    pub name: String,
    pub group: &'static str,
    pub currency: &'static str,
    pub credit_limit: i64,
    pub email: String,
    pub phone: String,
    pub memo: &'static str,
    pub payment_terms: &'static str,
    pub street: String,
    pub city: &'static str,
    pub state: &'static str,
    pub zip: String,
    pub country: &'static str,
}

/// Seeded generator; the same seed yields the same sequence of customers.
pub(crate) struct Generator {
    rng: StdRng,
    width: usize,
    next: usize,
}

impl Generator {
    /// A generator for `total` rows, so account numbers share one zero-padded width.
    pub(crate) fn new(seed: u64, total: usize) -> Self {
        Generator {
            rng: StdRng::seed_from_u64(seed),
            width: total.to_string().len().max(6),
            next: 0,
        }
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        *items
            .choose(&mut self.rng)
            .expect("word lists are not empty")
    }

    fn weighted(&mut self, items: &[(&'static str, u32)]) -> &'static str {
        let total: u32 = items.iter().map(|(_, w)| w).sum();
        let mut roll = self.rng.random_range(0..total);
        for (item, weight) in items {
            if roll < *weight {
                return item;
            }
            roll -= weight;
        }
        items[items.len() - 1].0
    }

    pub(crate) fn next_customer(&mut self) -> Customer {
        self.next += 1;
        let usmf = self.rng.random_bool(0.4);
        let company = if usmf { "USMF" } else { "DAT" };
        let account = format!("{company}-{:0width$}", self.next, width = self.width);

        let prefix = self.pick(PREFIXES);
        let qualifier = self.pick(QUALIFIERS);
        let core = self.pick(CORES);
        let suffix = self.pick(SUFFIXES);
        let name = [prefix, qualifier, core, suffix]
            .iter()
            .filter(|w| !w.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(" ");

        let roll = self.rng.random_range(0..100u32);
        let currency = match (usmf, roll) {
            (false, 0..85) => "EUR",
            (false, 85..95) => "GBP",
            (false, _) => "USD",
            (true, 0..90) => "USD",
            (true, 90..96) => "GBP",
            (true, _) => "CAD",
        };
        let group = self.weighted(GROUPS);
        let credit_limit = self.pick(CREDIT_LIMITS);
        let phone = if currency == "GBP" {
            // Ofcom reserves 020 7946 0xxx for drama, so these never reach a real line.
            format!("+44 20 7946 0{:03}", self.rng.random_range(0..1000u32))
        } else {
            format!(
                "+1 {} 555 01{:02}",
                self.pick(AREA_CODES),
                self.rng.random_range(0..100u32)
            )
        };
        let memo = if self.rng.random_bool(0.1) {
            self.pick(MEMOS)
        } else {
            ""
        };
        let email = format!("accounts@{}.example", slug(&name));
        // Drawn last so the fields above stay what earlier versions generated for a seed.
        let payment_terms = self.pick(PAYMENT_TERMS).0;
        let country = match currency {
            "EUR" => "DEU",
            "GBP" => "GBR",
            "CAD" => "CAN",
            _ => "USA",
        };
        let cities = CITIES
            .iter()
            .find(|(c, _)| *c == country)
            .map_or(&[][..], |(_, list)| *list);
        let (city, state) = self.pick(cities);
        let street = format!(
            "{} {}",
            self.rng.random_range(1..2000u32),
            self.pick(STREETS)
        );
        let zip = match country {
            "GBR" => format!("SW1A {}AA", self.rng.random_range(1..10u32)),
            "CAN" => format!(
                "M5V {}A{}",
                self.rng.random_range(0..10u32),
                self.rng.random_range(0..10u32)
            ),
            _ => format!("{:05}", self.rng.random_range(10_000..99_999u32)),
        };
        Customer {
            company,
            account,
            name,
            group,
            currency,
            credit_limit,
            email,
            phone,
            memo,
            payment_terms,
            street,
            city,
            state,
            zip,
            country,
        }
    }
}

/// Lower-case ASCII words joined by hyphens, e.g. `Margie's Foods Ltd` -> `margies-foods-ltd`.
pub(crate) fn slug(name: &str) -> String {
    name.split_whitespace()
        .map(|w| {
            w.chars()
                .filter(char::is_ascii_alphanumeric)
                .map(|c| c.to_ascii_lowercase())
                .collect::<String>()
        })
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_customers() {
        // GIVEN two generators with one seed and one with another.
        let (mut a, mut b, mut c) = (
            Generator::new(7, 50),
            Generator::new(7, 50),
            Generator::new(8, 50),
        );
        // WHEN each produces 50 customers.
        let names = |g: &mut Generator| {
            (0..50)
                .map(|_| {
                    let c = g.next_customer();
                    format!("{}|{}|{}", c.account, c.name, c.credit_limit)
                })
                .collect::<Vec<_>>()
        };
        let (na, nb, nc) = (names(&mut a), names(&mut b), names(&mut c));
        // THEN the seed alone decides the sequence.
        assert_eq!(na, nb, "one seed must reproduce the same rows");
        assert_ne!(na, nc, "another seed must give other rows");
    }

    #[test]
    fn accounts_are_padded_and_ascending() {
        // GIVEN a generator for a small total.
        let mut g = Generator::new(1, 20);
        // WHEN the first customers are drawn.
        let first = g.next_customer();
        let second = g.next_customer();
        // THEN numbers are six digits wide and keep counting across companies.
        assert!(
            first.account.ends_with("-000001"),
            "first account number is 1 padded to six digits: {}",
            first.account
        );
        assert!(
            second.account.ends_with("-000002"),
            "numbering is global, not per company: {}",
            second.account
        );
    }

    #[test]
    fn slug_keeps_only_ascii_words() {
        assert_eq!(
            slug("Margie's Northern Foods GmbH"),
            "margies-northern-foods-gmbh",
            "apostrophes vanish and words join with hyphens for a valid host name"
        );
    }
}
