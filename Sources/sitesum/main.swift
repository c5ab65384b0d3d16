print("sitesum: not built yet")
