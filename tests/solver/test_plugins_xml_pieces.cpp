// plugins.xml read in pieces (one entry at a time) against the whole document parsed at once:
// the same entries, texts, positions and errors, on every corpus file and on variations of
// them made to break the reading in pieces (comments, CDATA, nested entries, truncations...).
// SPDX-License-Identifier: GPL-2.0-or-later
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "plugins_xml_readings.hpp"
#include "test_data.hpp"

using namespace qplug::solver;

namespace {

void expect_same_reading(std::string_view bytes, const std::string& what) {
    EXPECT_EQ(qplug::test::describe_reading(bytes, plugins_xml::Reading::in_pieces),
              qplug::test::describe_reading(bytes, plugins_xml::Reading::whole))
        << what;
}

std::vector<std::string> corpus_files() {
    std::vector<std::string> files;
    for (const auto& f :
         std::filesystem::directory_iterator(std::string(QPLUG_TEST_DATA) + "/plugins-xml")) {
        if (f.path().extension() == ".xml") {
            files.push_back(f.path().string());
        }
    }
    std::sort(files.begin(), files.end());
    return files;
}

} // namespace

TEST(PluginsXmlPieces, EveryCorpusFileReadsAsTheWholeDocument) {
    const auto files = corpus_files();
    ASSERT_GT(files.size(), 50u);
    for (const auto& file : files) {
        expect_same_reading(qplug::test::read_file(file), file);
    }
}

TEST(PluginsXmlPieces, StoppingAfterAnEntryHandsNoMore) {
    const std::string text =
        "<plugins>\n<pyqgis_plugin name=\"a\" version=\"1\"/>\n"
        "<pyqgis_plugin name=\"b\" version=\"1\"></pyqgis_plugin>\n"
        "<pyqgis_plugin name=\"c\" version=\"1\"></pyqgis_plugin>\n</plugins>\n";
    const std::string simple =
        "<plugins>\n<pyqgis_plugin name=\"a\" version=\"1\">x</pyqgis_plugin>"
        "<pyqgis_plugin name=\"b\" version=\"1\"></pyqgis_plugin >\n"
        "<pyqgis_plugin name=\"c\" version=\"1\"></pyqgis_plugin>\n</plugins>\n";
    for (const std::string& t : {text, simple}) {
        for (std::size_t stop = 1; stop <= 3; ++stop) {
            EXPECT_EQ(qplug::test::describe_reading(t, plugins_xml::Reading::in_pieces, stop),
                      qplug::test::describe_reading(t, plugins_xml::Reading::whole, stop));
        }
    }
}

TEST(PluginsXmlPieces, DocumentsThatBreakThePiecesReadAsTheWholeDocument) {
    const std::string entry = "<pyqgis_plugin name=\"P{0}\" version=\"1.{0}\" plugin_id=\"{0}\">\n"
                              "  <description><![CDATA[d & {0}]]></description>\n"
                              "  <file_name>p{0}.zip</file_name>\n"
                              "  <experimental>True</experimental>\n"
                              "</pyqgis_plugin>\n";
    auto entries = [&](int from, int to) {
        std::string out;
        for (int i = from; i < to; ++i) {
            out += fmt::format(fmt::runtime(entry), i);
        }
        return out;
    };
    const std::string head = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<plugins>\n";
    const std::vector<std::string> cases = {
        head + entries(0, 3) + "</plugins>\n", // the usual
        head + entries(0, 3) + "</plugins >",  // no final newline
        head + entries(0, 2) + "<!-- between -->\n" + entries(2, 4) + "</plugins>\n",
        head + entries(0, 2) + "text between" + entries(2, 4) + "</plugins>\n",
        head + entries(0, 3) + "</plugins>\n<!-- after -->\n",
        head + entries(0, 3) + "</plugins>\ntrailing",
        head + entries(0, 3), // root never closed
        head + entries(0, 2) + "<pyqgis_plugin name=\"cut\" version=\"1\"><desc",
        head + entries(0, 1) +
            "<pyqgis_plugin name=\"c\" version=\"1\"><!-- </pyqgis_plugin> --></pyqgis_plugin>\n" +
            entries(1, 2) + "</plugins>\n",
        head + entries(0, 1) +
            "<pyqgis_plugin name=\"c\" version=\"1\"><about><![CDATA[</pyqgis_plugin>"
            "<pyqgis_plugin name=\"x\">]]></about></pyqgis_plugin>\n" +
            entries(1, 2) + "</plugins>\n",
        head + entries(0, 1) +
            "<pyqgis_plugin name=\"a</pyqgis_plugin> <pyqgis_plugin\" "
            "version=\"1\"></pyqgis_plugin>\n" +
            entries(1, 2) + "</plugins>\n",
        head + "<pyqgis_plugin name=\"outer\" version=\"1\"><x>" + entries(0, 2) +
            "</x></pyqgis_plugin>\n" + entries(2, 3) + "</plugins>\n", // nested entries
        head + entries(0, 1) + "<pyqgis_plugins name=\"other\"></pyqgis_plugins>\n" +
            entries(1, 2) + "</plugins>\n",
        head + entries(0, 1) + "<pyqgis_plugin name=\"x\" version=\"1\"></pyqgis_pluginx>\n" +
            entries(1, 2) + "</plugins>\n",
        head + entries(0, 2) + "</other>\n", // the wrong root closed
        "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<plugins>\n" + entries(0, 2) +
            "<pyqgis_plugin name=\"caf\xe9\" version=\"1\"></pyqgis_plugin></plugins>\n",
        "\xef\xbb\xbf" + head + entries(0, 2) + "</plugins>\n", // a UTF-8 BOM
        "<plugins><x/>" + entries(0, 2) + "</plugins>",         // an element before
        "<plugins>text" + entries(0, 2) + "</plugins>",
        "<plugins></y>" + entries(0, 2) + "</plugins>",
        "<!-- <pyqgis_plugin name=\"c\"> -->" + head.substr(39) + entries(0, 2) + "</plugins>",
        "<a><plugins>" + entries(0, 2) + "</plugins></a>",
        "<plugins>" + entries(0, 2) + "</plugins><plugins>" + entries(2, 3) + "</plugins>",
        "<plugins>\r\n" + entries(0, 2) + "\r\n</plugins>\r\n",
        "<plugins>" + entries(0, 1) +
            "<pyqgis_plugin name=\"A & B\" version=\"1\">"
            "<about>x & y &amp; z &bogus; &#233;</about>"
            "</pyqgis_plugin>" +
            entries(1, 2) + "</plugins>",
        "<pyqgis_plugin name=\"root\" version=\"1\">" + entries(0, 2) + "</pyqgis_plugin>",
        "<plugins>" + entries(0, 2) + "<pyqgis_plugin name=\"z\" version=\"1\"/></plugins>",
        "<plugins>" + entries(0, 2) + "<pyqgis_plugin name=\"z\" version=\"1\"></pyqgis_plugin\n",
    };
    for (const std::string& text : cases) {
        expect_same_reading(text, text);
    }
}

TEST(PluginsXmlPieces, RandomDamageReadsAsTheWholeDocument) {
    // Pieces of XML inserted, bytes deleted or the document cut, at random places of small
    // corpus files: whatever the damage, both readings agree.
    std::vector<std::string> texts;
    for (const auto& file : corpus_files()) {
        std::string text = qplug::test::read_file(file);
        if (text.size() < 40'000) {
            texts.push_back(std::move(text));
        }
    }
    ASSERT_GT(texts.size(), 20u);
    const std::vector<std::string> tokens = {"<",
                                             ">",
                                             "</pyqgis_plugin>",
                                             "<pyqgis_plugin>",
                                             "<!--",
                                             "-->",
                                             "<![CDATA[",
                                             "]]>",
                                             "\"",
                                             "&",
                                             "& ",
                                             "</plugins>",
                                             "<x>",
                                             "\n",
                                             "\r",
                                             "\xe9",
                                             "<?pi?>",
                                             "<pyqgis_plugin name=\"n\" version=\"2\"/>"};
    std::mt19937 random(20261206);
    for (int round = 0; round < 3000; ++round) {
        std::string text = texts[random() % texts.size()];
        const int damages = 1 + static_cast<int>(random() % 3);
        for (int d = 0; d < damages && !text.empty(); ++d) {
            const std::size_t at = random() % text.size();
            switch (random() % 3) {
            case 0:
                text.insert(at, tokens[random() % tokens.size()]);
                break;
            case 1:
                text.erase(at, 1 + random() % 16);
                break;
            default:
                text.resize(at);
                break;
            }
        }
        expect_same_reading(text, fmt::format("round {}", round));
        if (HasFailure()) {
            break;
        }
    }
}
