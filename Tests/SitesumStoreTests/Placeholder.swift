import Testing

@Test func placeholder_SitesumStoreTests() { #expect(Bool(true)) }
