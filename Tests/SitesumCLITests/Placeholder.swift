import Testing

@Test func placeholder_SitesumCLITests() { #expect(Bool(true)) }
