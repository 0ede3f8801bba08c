// Host tests of base::IntrusiveList: order of pushes and pops, unlinking from anywhere, elements
// on two lists through two nodes, and traps on linking twice or unlinking what is not linked.
#include <gtest/gtest.h>

#include <vector>

#include "base/intrusive_list.h"

namespace {

struct Thread {
    Thread(int id = 0) : id(id) {}
    int id;
    char padding[24] = {};  // the node is not at offset 0: the list must step back to the owner
    base::IntrusiveListNode run_queue_node;
    base::IntrusiveListNode wait_queue_node;
};
using RunQueue = base::IntrusiveList<Thread, &Thread::run_queue_node>;
using WaitQueue = base::IntrusiveList<Thread, &Thread::wait_queue_node>;

// A global list needs no constructor at boot.
constinit RunQueue global_queue;

std::vector<int> ids_of(RunQueue& queue) {
    std::vector<int> ids;
    for (Thread& thread : queue) ids.push_back(thread.id);
    return ids;
}

TEST(IntrusiveList, EmptyListHasNothingToGive) {
    RunQueue queue;
    EXPECT_TRUE(queue.empty());
    EXPECT_EQ(queue.size(), 0u);
    EXPECT_EQ(queue.front(), nullptr);
    EXPECT_EQ(queue.back(), nullptr);
    EXPECT_EQ(queue.pop_front(), nullptr);
    EXPECT_EQ(queue.pop_back(), nullptr);
    EXPECT_TRUE(queue.begin() == queue.end());
    EXPECT_TRUE(global_queue.empty());
}

TEST(IntrusiveList, PushBackAppendsAndPushFrontPrepends) {
    Thread a{1}, b{2}, c{3};
    RunQueue queue;
    queue.push_back(a);
    queue.push_back(b);
    queue.push_front(c);
    EXPECT_EQ(ids_of(queue), (std::vector<int>{3, 1, 2}));
    EXPECT_EQ(queue.size(), 3u);
    EXPECT_EQ(queue.front(), &c);
    EXPECT_EQ(queue.back(), &b);
    EXPECT_TRUE(a.run_queue_node.is_linked());
    EXPECT_FALSE(a.wait_queue_node.is_linked());
}

TEST(IntrusiveList, RemoveUnlinksFromTheMiddleAndTheEnds) {
    Thread a{1}, b{2}, c{3}, d{4};
    RunQueue queue;
    for (Thread* t : {&a, &b, &c, &d}) queue.push_back(*t);
    queue.remove(b);
    EXPECT_FALSE(b.run_queue_node.is_linked());
    EXPECT_EQ(ids_of(queue), (std::vector<int>{1, 3, 4}));
    queue.remove(a);
    queue.remove(d);
    EXPECT_EQ(ids_of(queue), (std::vector<int>{3}));
    queue.remove(c);
    EXPECT_TRUE(queue.empty());
}

TEST(IntrusiveList, PopFrontAndPopBackTakeFromTheirEnds) {
    Thread a{1}, b{2}, c{3};
    RunQueue queue;
    for (Thread* t : {&a, &b, &c}) queue.push_back(*t);
    EXPECT_EQ(queue.pop_front(), &a);
    EXPECT_FALSE(a.run_queue_node.is_linked());
    EXPECT_EQ(queue.pop_back(), &c);
    EXPECT_EQ(queue.pop_back(), &b);
    EXPECT_TRUE(queue.empty());
}

TEST(IntrusiveList, InsertBeforePutsTheItemInFrontOfItsPosition) {
    Thread a{1}, b{2}, c{3};
    RunQueue queue;
    queue.push_back(a);
    queue.insert_before(a, b);  // becomes the first
    queue.insert_before(a, c);  // between b and a
    EXPECT_EQ(ids_of(queue), (std::vector<int>{2, 3, 1}));
}

TEST(IntrusiveList, AnElementCanBeOnTwoListsThroughTwoNodes) {
    Thread a{1}, b{2};
    RunQueue runnable;
    WaitQueue waiting;
    runnable.push_back(a);
    runnable.push_back(b);
    waiting.push_back(b);
    EXPECT_EQ(waiting.front(), &b);
    runnable.remove(b);
    EXPECT_EQ(waiting.size(), 1u);
    EXPECT_EQ(runnable.size(), 1u);
}

TEST(IntrusiveList, AnUnlinkedElementCanJoinAnotherList) {
    Thread a{1};
    RunQueue first, second;
    first.push_back(a);
    first.remove(a);
    second.push_back(a);
    EXPECT_TRUE(first.empty());
    EXPECT_EQ(second.front(), &a);
}

TEST(IntrusiveList, CopiesOfALinkedElementStartUnlinked) {
    Thread a{1};
    RunQueue queue;
    queue.push_back(a);
    Thread copy = a;
    EXPECT_FALSE(copy.run_queue_node.is_linked());
    queue.push_back(copy);
    EXPECT_EQ(queue.size(), 2u);
    copy = a;  // assigning over a linked element keeps its own links
    EXPECT_TRUE(copy.run_queue_node.is_linked());
    EXPECT_EQ(queue.back(), &copy);
}

TEST(IntrusiveList, RemovingDuringIterationWorksWithTheNextSavedFirst) {
    Thread threads[6];
    RunQueue queue;
    for (int i = 0; i < 6; ++i) {
        threads[i].id = i;
        queue.push_back(threads[i]);
    }
    for (auto it = queue.begin(); it != queue.end();) {
        Thread& thread = *it;
        ++it;
        if (thread.id % 2 == 0) queue.remove(thread);
    }
    EXPECT_EQ(ids_of(queue), (std::vector<int>{1, 3, 5}));
}

TEST(IntrusiveListDeathTest, LinkingALinkedElementTraps) {
    Thread a{1};
    RunQueue first, second;
    first.push_back(a);
    EXPECT_DEATH(second.push_back(a), "");
    EXPECT_DEATH(first.push_front(a), "");
}

TEST(IntrusiveListDeathTest, RemovingAnUnlinkedElementTraps) {
    Thread a{1};
    RunQueue queue;
    EXPECT_DEATH(queue.remove(a), "");
}

}  // namespace
