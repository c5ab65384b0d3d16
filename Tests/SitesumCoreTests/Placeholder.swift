import Testing

@Test func placeholder_SitesumCoreTests() { #expect(Bool(true)) }
