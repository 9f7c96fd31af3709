// plugins.xml as QGIS's installer reads it (the field-by-field comparison with every corpus
// file is tests/python/test_index_sync.py).
// SPDX-License-Identifier: GPL-2.0-or-later
#include <gtest/gtest.h>

#include <qplug/solver/plugins_xml.hpp>

#include "test_data.hpp"

using namespace qplug::solver;

namespace {

std::string corpus(const std::string& name) {
    return qplug::test::read_file(std::string(QPLUG_TEST_DATA) + "/plugins-xml/" + name);
}

} // namespace

TEST(PluginsXml, TheOfficialSnapshot) {
    const auto doc = plugins_xml::parse(
        corpus("planetfederal__qgis-plugins-xml__tests_data_plugins_plugins-qgis-org.xml"));
    ASSERT_TRUE(doc) << doc.error().to_string();
    ASSERT_EQ(doc->entries.size(), 265u);
    const auto& first = doc->entries.front();
    EXPECT_EQ(first.name, "ARPAT plugin");
    EXPECT_EQ(first.version, "0.3.3");
    EXPECT_EQ(first.plugin_id, "147");
    EXPECT_EQ(first.description,
              "Display of stratigraphy from surveys. Developing with funding from ARPAT.");
    EXPECT_EQ(first.about, "");
    EXPECT_EQ(first.qgis_minimum_version, "1.0.0");
    EXPECT_EQ(first.file_name, "arpat.0.3.3.zip");
    EXPECT_EQ(first.key(), "arpat");
    EXPECT_EQ(first.author_name, "Martin Dobias (Faunalia)");
    EXPECT_FALSE(first.experimental);
    EXPECT_EQ(first.line, 4u);
    EXPECT_EQ(first.column, 5u);
}

TEST(PluginsXml, MalformedFilesGiveTheEntriesBeforeTheError) {
    // QDomDocument keeps what it built before an error, and QGIS reads it: the element open
    // at the error counts with the children it had (tests/python/
    // test_qgis_installer_reference.py holds this to QGIS's own code).
    const auto doc = plugins_xml::parse(corpus("BergWerkGIS__VoGIS-Raumplanung__plugins.xml"));
    ASSERT_TRUE(doc);
    ASSERT_TRUE(doc->error);
    EXPECT_EQ(doc->error->line, 23u);
    EXPECT_GT(doc->error->line_column, 0u);
    EXPECT_NE(doc->error->message.find("not well-formed"), std::string::npos);
    ASSERT_EQ(doc->entries.size(), 1u);
    EXPECT_EQ(doc->entries[0].key(), "vogisraumplanungplot");
    EXPECT_EQ(doc->entries[0].qgis_maximum_version, "2.99.0");

    const auto open = plugins_xml::parse("<plugins><pyqgis_plugin name=\"A\" version=\"1\">"
                                         "<file_name>a.1.zip</file_name></plugins>");
    ASSERT_TRUE(open);
    ASSERT_TRUE(open->error);
    ASSERT_EQ(open->entries.size(), 1u);
    EXPECT_EQ(open->entries[0].key(), "a");
    const auto after = plugins_xml::parse("<plugins><pyqgis_plugin name=\"A\" version=\"1\"/>"
                                          "<oops></wrong><pyqgis_plugin name=\"B\" version=\"1\"/>"
                                          "</plugins>");
    ASSERT_TRUE(after);
    ASSERT_EQ(after->entries.size(), 1u); // nothing after the error
    EXPECT_EQ(after->entries[0].name, "A");
}

TEST(PluginsXml, MalformedFilesWithoutEntriesFailWithLineAndColumn) {
    const auto doc = plugins_xml::parse("<html>\n<body><p>Bad gateway</body></html>");
    ASSERT_FALSE(doc);
    EXPECT_EQ(doc.error().line, 2u);
    EXPECT_NE(doc.error().message.find("not well-formed"), std::string::npos);
    EXPECT_FALSE(plugins_xml::parse(""));
}

TEST(PluginsXml, NestingDepthIsNotLimitedByTheStack) {
    // 100,000 levels crashed a recursive walk; the entry at the bottom and a text nested as
    // deep are read.
    constexpr int kDepth = 100'000;
    std::string text = "<plugins>";
    for (int i = 0; i < kDepth; ++i) {
        text += "<a>";
    }
    text += "<pyqgis_plugin name=\"Deep\" version=\"1\"><description>";
    for (int i = 0; i < kDepth; ++i) {
        text += "<b>x";
    }
    for (int i = 0; i < kDepth; ++i) {
        text += "</b>";
    }
    text += "</description><file_name>deep.1.zip</file_name></pyqgis_plugin>";
    for (int i = 0; i < kDepth; ++i) {
        text += "</a>";
    }
    text += "</plugins>";
    const auto doc = plugins_xml::parse(text);
    ASSERT_TRUE(doc) << doc.error().to_string();
    EXPECT_FALSE(doc->error);
    ASSERT_EQ(doc->entries.size(), 1u);
    EXPECT_EQ(doc->entries[0].key(), "deep");
    EXPECT_EQ(doc->entries[0].description, std::string(kDepth, 'x'));
}

TEST(PluginsXml, QgisReadingRules) {
    // "& " is escaped before parsing; texts are stripped and concatenated; flags are TRUE or
    // YES in any case; nested and commented-out elements; the key comes from file_name, else
    // from download_url.
    const auto doc = plugins_xml::parse(R"(<?xml version="1.0"?>
<whatever>
  <!-- <pyqgis_plugin name="Commented" version="1"/> -->
  <pyqgis_plugin name=" Tom & Jerry " version="1.0">
    <description>  Cats <b>and</b> mice & more  </description>
    <experimental> yes </experimental>
    <deprecated>1</deprecated>
    <trusted>True</trusted>
    <download_url>https://example.org/plugins/tom_jerry.1.0.zip?x=1</download_url>
    <plugin_dependencies>Other Plugin==2.0</plugin_dependencies>
  </pyqgis_plugin>
  <group><pyqgis_plugin name="Nested" version="2"><file_name>nested.2.zip</file_name></pyqgis_plugin></group>
</whatever>)");
    ASSERT_TRUE(doc) << doc.error().to_string();
    ASSERT_EQ(doc->entries.size(), 2u);
    const auto& e = doc->entries[0];
    EXPECT_EQ(e.name, "Tom & Jerry");
    EXPECT_EQ(e.description, "Cats and mice & more");
    EXPECT_TRUE(e.experimental);
    EXPECT_FALSE(e.deprecated); // "1" is not TRUE/YES for QGIS
    EXPECT_TRUE(e.trusted);
    EXPECT_EQ(e.key(), "tom_jerry");
    EXPECT_EQ(e.plugin_dependencies, "Other Plugin==2.0");
    EXPECT_EQ(doc->entries[1].key(), "nested");
    // Positions refer to the input bytes, before "& " was escaped.
    EXPECT_EQ(e.line, 4u);
    EXPECT_EQ(doc->entries[1].line, 12u);
    EXPECT_EQ(doc->entries[1].column, 10u);
}

TEST(PluginsXml, TheFirstChildOfANameCounts) {
    // QDomElement::firstChildElement(name): a repeated element is ignored, wherever the first
    // one is and whatever order the children come in.
    const auto doc = plugins_xml::parse(R"(<plugins><pyqgis_plugin name="P" version="1">
    <file_name>first.1.zip</file_name><tags>a</tags><trusted>no</trusted>
    <file_name>second.1.zip</file_name><trusted>yes</trusted><about>x<![CDATA[ y]]></about>
    <homepage/><tags>b</tags><nested><icon>not mine</icon></nested>
  </pyqgis_plugin></plugins>)");
    ASSERT_TRUE(doc) << doc.error().to_string();
    ASSERT_EQ(doc->entries.size(), 1u);
    const auto& e = doc->entries[0];
    EXPECT_EQ(e.file_name, "first.1.zip");
    EXPECT_EQ(e.tags, "a");
    EXPECT_FALSE(e.trusted);
    EXPECT_EQ(e.about, "x y");
    EXPECT_EQ(e.homepage, "");
    EXPECT_EQ(e.icon, ""); // only children of the entry count
}

TEST(PluginsXml, KeysAsQgisDerivesThem) {
    plugins_xml::Entry e;
    e.download_url = "https://plugins.qgis.org/plugins/qgis2web/version/3.2.0/download/";
    EXPECT_EQ(e.key(), ""); // QFileInfo: no file name after a trailing '/'
    e.file_name = "qgis2web.3.2.0.zip";
    EXPECT_EQ(e.key(), "qgis2web");
}

TEST(PluginsXml, NoPluginsIsNotAnError) {
    const auto doc = plugins_xml::parse("<html><body>Service unavailable</body></html>");
    ASSERT_TRUE(doc);
    EXPECT_TRUE(doc->entries.empty());
}
