/// Words for message texts, as they appear inside the JSON string (so already
/// escaped). Mostly plain ASCII; a few carry multi-byte UTF-8 or escapes,
/// because real chat text does and a decoder must pass over them unharmed
/// even though sitesum ignores the text.
let messageWords: [[UInt8]] = [
    "hello", "hi", "is", "anyone", "there", "I", "need", "help", "with", "my",
    "order", "the", "delivery", "was", "late", "and", "box", "damaged", "can",
    "you", "check", "please", "thanks", "a", "lot", "where", "refund", "invoice",
    "account", "password", "reset", "link", "does", "not", "work", "today",
    "tomorrow", "price", "discount", "code", "shipping", "to", "Zürich", "café",
    "naïve", "日本", "ok", "👍", "it\\u2019s", "\\\"urgent\\\"", "a\\/b", "tab\\there",
    "C:\\\\temp", "{braces}", "[brackets]", "colon:", "comma,", "5%", "#42", "why?",
    "great!", "sorting", "than", "been",
].map { Array($0.utf8) }
