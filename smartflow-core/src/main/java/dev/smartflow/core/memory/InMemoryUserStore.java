package dev.smartflow.core.memory;

import dev.smartflow.core.spi.UserStore;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;

/** The {@link UserStore} of an {@link InMemoryDatabase}: one lock over one sorted map. */
final class InMemoryUserStore implements UserStore {
    private final Guard guard;
    private final TreeMap<String, User> users = new TreeMap<>();

    InMemoryUserStore(AtomicBoolean closed) {
        this.guard = new Guard(closed);
    }

    @Override
    public boolean create(User user) {
        Objects.requireNonNull(user, "user");
        return guard.locked(() -> users.putIfAbsent(user.name(), user) == null);
    }

    @Override
    public boolean update(User user) {
        Objects.requireNonNull(user, "user");
        return guard.locked(() -> users.replace(user.name(), user) != null);
    }

    @Override
    public Optional<User> user(String name) {
        Objects.requireNonNull(name, "name");
        return guard.locked(() -> Optional.ofNullable(users.get(name)));
    }

    @Override
    public List<User> users() {
        return guard.locked(() -> List.copyOf(users.values()));
    }

    @Override
    public boolean delete(String name) {
        Objects.requireNonNull(name, "name");
        return guard.locked(() -> users.remove(name) != null);
    }
}
