// Host tests of base::StringView: comparisons, searches and slices that stay inside the view.
#include <gtest/gtest.h>

#include <string>

#include "base/string_view.h"

namespace {

using base::StringView;

TEST(StringView, CStringLengthCountsUpToTheNul) {
    static_assert(base::c_string_length("") == 0);
    static_assert(base::c_string_length("vectra") == 6);
    const char text[] = {'a', 'b', '\0', 'c', '\0'};
    EXPECT_EQ(base::c_string_length(text), 2u);
}

TEST(StringView, NullAndDefaultAreEmpty) {
    EXPECT_TRUE(StringView().empty());
    EXPECT_TRUE(StringView(static_cast<const char*>(nullptr)).empty());
    EXPECT_EQ(StringView("").size(), 0u);
}

TEST(StringView, EqualityComparesCharactersNotPointers) {
    const char first[] = "memory";
    const std::string second = "memory";
    EXPECT_TRUE(StringView(first) == StringView(second.c_str()));
    EXPECT_TRUE(StringView(first) == "memory");
    EXPECT_TRUE("memory" == StringView(first));
    EXPECT_FALSE(StringView(first) == "memor");
    EXPECT_FALSE(StringView(first) == "memorx");
    EXPECT_TRUE(StringView(first) != "Memory");
    EXPECT_TRUE(StringView() == StringView(""));
    // A view stops at its size even where the characters go on.
    EXPECT_TRUE(StringView("memory@0", 6) == "memory");
}

TEST(StringView, PrefixesAndSuffixes) {
    const StringView text("memory@40000000");
    EXPECT_TRUE(text.starts_with("memory"));
    EXPECT_TRUE(text.starts_with(""));
    EXPECT_TRUE(text.starts_with('m'));
    EXPECT_FALSE(text.starts_with("memory@40000000+"));
    EXPECT_TRUE(text.ends_with("0000"));
    EXPECT_TRUE(text.ends_with(text));
    EXPECT_TRUE(text.ends_with('0'));
    EXPECT_FALSE(text.ends_with("1"));
    EXPECT_FALSE(StringView().starts_with('a'));
    EXPECT_FALSE(StringView().ends_with('a'));
}

TEST(StringView, FindReportsTheFirstMatchAtOrAfterAnOffset) {
    const StringView text("a/b/c");
    EXPECT_EQ(text.find('/'), 1u);
    EXPECT_EQ(text.find('/', 2), 3u);
    EXPECT_EQ(text.find('/', 4), StringView::npos);
    EXPECT_EQ(text.find('/', 100), StringView::npos);
    EXPECT_EQ(text.find('x'), StringView::npos);
    EXPECT_EQ(text.find("b/c"), 2u);
    EXPECT_EQ(text.find("c"), 4u);  // a match that ends exactly at the end
    EXPECT_EQ(text.find("c/"), StringView::npos);
    EXPECT_EQ(text.find("/", 2), 3u);
    EXPECT_EQ(text.find(""), 0u);
    EXPECT_EQ(StringView("ab").find("abc"), StringView::npos);
    EXPECT_EQ(text.find_last('/'), 3u);
    EXPECT_EQ(text.find_last('a'), 0u);
    EXPECT_EQ(text.find_last('x'), StringView::npos);
    EXPECT_TRUE(text.contains("/b"));
    EXPECT_TRUE(text.contains('c'));
    EXPECT_FALSE(text.contains("//"));
}

TEST(StringView, SubstrClipsToTheView) {
    const StringView text("bootargs");
    EXPECT_TRUE(text.substr(4) == "args");
    EXPECT_TRUE(text.substr(0, 4) == "boot");
    EXPECT_TRUE(text.substr(4, 100) == "args");
    EXPECT_TRUE(text.substr(8).empty());
    EXPECT_TRUE(text.substr(100).empty());
    EXPECT_EQ(text.substr(100).data(), text.end());  // clipped, never past the end
    EXPECT_TRUE(text.substr(3, ~base::usize(0)) == "targs");
}

TEST(StringView, IteratesAndIndexesItsCharacters) {
    const StringView text("abc", 2);
    std::string seen;
    for (char c : text) seen += c;
    EXPECT_EQ(seen, "ab");
    EXPECT_EQ(text[1], 'b');
    EXPECT_EQ(text.length(), 2u);
}

TEST(StringViewDeathTest, IndexingPastTheEndTraps) {
    const StringView text("abc", 2);
    EXPECT_DEATH((void)text[2], "");
}

}  // namespace
