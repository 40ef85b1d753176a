-- +goose Up
-- One profile per account, created from auth-service's user.registered.
-- username and email mirror auth's account and change only through events.
CREATE TABLE profiles (
    user_id                 uuid        PRIMARY KEY,
    username                text        NOT NULL,
    email                   text        NOT NULL,
    nickname                text        NOT NULL,
    bio                     text        NOT NULL DEFAULT '',
    birthday                date,
    blog_url                text        NOT NULL DEFAULT '',
    avatar_image_id         uuid,
    timezone                text        NOT NULL DEFAULT 'Asia/Seoul',
    locale                  text        NOT NULL DEFAULT 'ko' CHECK (locale IN ('ko', 'en')),
    notify_letter_opened    boolean     NOT NULL DEFAULT true,
    notify_routine_reminder boolean     NOT NULL DEFAULT true,
    notify_special_date     boolean     NOT NULL DEFAULT true,
    created_at              timestamptz NOT NULL,
    updated_at              timestamptz NOT NULL
);

-- Accounts whose user.deleted was applied. Topics are separate queues, so a
-- user.registered redelivered late must not bring a purged profile back.
-- Only the id is kept, and only for as long as a redelivery can take.
CREATE TABLE deleted_users (
    user_id    uuid        PRIMARY KEY,
    deleted_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX deleted_users_deleted_at ON deleted_users (deleted_at);

-- +goose Down
DROP TABLE deleted_users;
DROP TABLE profiles;
