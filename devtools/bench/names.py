"""What the seeded people are called, what they do and where the immigrants among them come from."""

FIRST_NAMES = [
    "Léa", "Emma", "Olivia", "Alice", "Florence", "Charlotte", "Rosalie", "Béatrice", "Zoé", "Juliette",
    "William", "Thomas", "Liam", "Noah", "Jacob", "Félix", "Nathan", "Samuel", "Émile", "Louis",
    "Mathis", "Olivier", "Gabriel", "Jean-Philippe", "Marie-Ève", "Camille", "Mélissa", "Alexandre",
    "Amina", "Fatima", "Yasmine", "Karim", "Mohamed", "Youssef", "Aïcha", "Moussa", "Mariam", "Ibrahim",
    "Carlos", "Sofía", "Diego", "Valentina", "Mateo", "Lucía", "Priya", "Arjun", "Anjali", "Rohan",
    "Nguyen", "Linh", "Minh", "Wei", "Mei", "Daniel", "Chidi", "Ngozi", "Kofi", "Awa", "Oksana", "Andriy",
]  # fmt: skip
LAST_NAMES = [
    "Tremblay", "Gagnon", "Roy", "Côté", "Bouchard", "Gauthier", "Morin", "Lavoie", "Fortin", "Gagné",
    "Ouellet", "Pelletier", "Bélanger", "Lévesque", "Bergeron", "Leblanc", "Paquette", "Girard", "Simard",
    "Boucher", "Caron", "Beaulieu", "Cloutier", "Dubé", "Poirier", "Fournier", "Lapointe", "Leclerc",
    "Diallo", "Traoré", "Benali", "Haddad", "Belkacem", "Mansour", "El Amrani", "Nasser", "Touré", "Keita",
    "Mendoza", "García", "Rodríguez", "Hernández", "López", "Sharma", "Patel", "Singh", "Nguyen", "Tran",
    "Pham", "Li", "Wang", "Chen", "Okafor", "Mensah", "Kovalenko", "Shevchenko", "Joseph", "Pierre",
]  # fmt: skip
OCCUPATIONS = [
    "Soins infirmiers", "Génie civil", "Comptabilité", "Enseignement", "Soudure", "Mécanique automobile",
    "Informatique", "Agriculture", "Cuisine", "Éducation à la petite enfance", "Électricité", "Foresterie",
    "Administration", "Pharmacie", "Transport routier", "Vente", "Travail social", "Menuiserie",
]  # fmt: skip
COUNTRIES = ["MA", "DZ", "TN", "SN", "CI", "CM", "FR", "BE", "MX", "CO", "IN", "VN", "CN", "NG", "UA", "HT", "BR"]
