// Every string of the client in Korean (the default) and English, the
// mood names (product.md), and dates and times formatted for the language
// and the user's timezone. A key missing from one language is a defect
// (internal/web's test checks both dictionaries hold every key in use).

const ko = {
  "app.name": "나에게 쓰는 편지",
  "app.footer": "나에게 쓰는 편지 · 미래의 나에게, 오늘의 마음을.",

  "nav.label": "주 메뉴",
  "nav.skip": "본문으로 건너뛰기",
  "nav.home": "홈",
  "nav.write": "편지 쓰기",
  "nav.letters": "편지함",
  "nav.routines": "루틴·기념일",
  "nav.me": "마이페이지",
  "nav.notifications": "알림",
  "nav.settings": "설정",
  "nav.login": "로그인",
  "nav.signup": "회원가입",
  "nav.logout": "로그아웃",
  "nav.notFound": "페이지를 찾을 수 없어요",

  "common.loading": "불러오는 중…",
  "common.save": "저장",
  "common.add": "추가",
  "common.edit": "수정",
  "common.delete": "삭제",
  "common.remove": "빼기",
  "common.cancel": "취소",
  "common.cancelEdit": "수정 취소",
  "common.editNamed": "{title} 수정",
  "common.deleteNamed": "{title} 삭제",

  "err.network": "서버에 연결할 수 없어요. 잠시 뒤에 다시 시도해 주세요.",
  "err.generic": "요청을 처리하지 못했어요. 잠시 뒤에 다시 시도해 주세요.",
  "err.invalid": "입력한 값을 확인해 주세요.",
  "err.taken": "이미 사용 중이에요.",
  "err.status.400": "입력한 값을 확인해 주세요.",
  "err.status.401": "아이디(또는 이메일)와 비밀번호를 확인해 주세요.",
  "err.status.403": "이 작업을 할 권한이 없어요.",
  "err.status.404": "찾을 수 없어요. 이미 삭제되었을 수 있어요.",
  "err.status.409": "이미 사용 중이에요.",
  "err.status.413": "파일이 너무 커요.",
  "err.status.415": "지원하지 않는 파일 형식이에요.",
  "err.status.423": "아직 봉인된 편지예요.",
  "err.status.429": "시도가 너무 많았어요. 잠시 뒤에 다시 시도해 주세요.",
  "err.status.503": "서비스가 준비 중이에요. 잠시 뒤에 다시 시도해 주세요.",
  "err.field.username": "아이디를 확인해 주세요. 150자 이하의 글자, 숫자, @ . + - _ 만 쓸 수 있어요.",
  "err.field.email": "올바른 이메일 주소를 입력해 주세요.",
  "err.field.password": "비밀번호를 확인해 주세요. 8자 이상, 숫자만으로는 안 되고, 흔하거나 아이디·이메일과 비슷하면 안 돼요.",
  "err.field.password_confirm": "두 비밀번호가 같지 않아요.",
  "err.field.current_password": "현재 비밀번호가 맞지 않아요.",
  "err.field.new_password": "새 비밀번호를 확인해 주세요. 8자 이상, 숫자만으로는 안 되고, 흔한 비밀번호는 안 돼요.",
  "err.field.title": "제목을 200자 이하로 입력해 주세요.",
  "err.field.content": "내용을 입력해 주세요.",
  "err.field.open_date": "열어볼 날짜는 오늘부터 100년 안이어야 해요.",
  "err.field.open_time": "열어볼 시간을 HH:MM 형식으로 입력해 주세요.",
  "err.field.image_ids": "사진을 확인해 주세요 (최대 5장).",
  "err.field.nickname": "닉네임을 확인해 주세요.",
  "err.field.bio": "한 줄 소개를 확인해 주세요.",
  "err.field.birthday": "생일을 확인해 주세요.",
  "err.field.blog_url": "http:// 또는 https:// 로 시작하는 주소를 입력해 주세요.",
  "err.field.avatar": "이미지를 올리지 못했어요. JPEG, PNG, GIF, WebP 5MB 이하만 가능해요.",
  "err.field.timezone": "목록에서 시간대를 골라 주세요.",
  "err.field.locale": "언어를 골라 주세요.",
  "err.field.kind": "반복 방식을 골라 주세요.",
  "err.field.weekday": "요일을 골라 주세요.",
  "err.field.day_of_month": "1일부터 31일 사이로 입력해 주세요.",
  "err.field.time": "시간을 HH:MM 형식으로 입력해 주세요.",
  "err.field.name": "이름을 입력해 주세요.",
  "err.field.date": "날짜를 확인해 주세요.",

  "field.username": "아이디",
  "field.usernameOrEmail": "아이디 또는 이메일",
  "field.email": "이메일",
  "field.password": "비밀번호",
  "field.passwordConfirm": "비밀번호 확인",
  "field.currentPassword": "현재 비밀번호",
  "field.newPassword": "새 비밀번호",
  "field.newEmail": "새 이메일",
  "field.title": "제목",
  "field.content": "내용",
  "field.openDate": "열어볼 날짜",
  "field.openTime": "열어볼 시간",
  "field.nickname": "닉네임",
  "field.bio": "한 줄 소개",
  "field.birthday": "생일",
  "field.blog": "블로그 주소",
  "field.avatar": "프로필 사진",
  "field.timezone": "시간대",
  "field.language": "언어",
  "field.routineTitle": "루틴 이름",
  "field.kind": "반복",
  "field.weekday": "요일",
  "field.dayOfMonth": "날짜(일)",
  "field.time": "시간",
  "field.specialName": "기념일 이름",
  "field.date": "날짜",
  "field.yearly": "매년 반복",

  "home.title": "미래의 나에게, 오늘의 마음을.",
  "home.lead": "편지를 쓰고 열어볼 날을 정하세요. 그날이 오기 전까지 편지는 서버에 봉인되어 누구도, 당신조차도 읽을 수 없어요. 그날이 오면 편지가 열렸다는 메일이 도착해요.",
  "home.start": "시작하기",
  "home.login": "로그인",
  "home.write": "편지 쓰기",
  "home.letters": "편지함 보기",
  "home.features": "이런 걸 할 수 있어요",
  "home.sealed.title": "봉인된 편지",
  "home.sealed.text": "열리는 날까지 내용과 사진은 서버에서 잠겨 있어요.",
  "home.routine.title": "쓰는 습관",
  "home.routine.text": "매주 또는 매달, 정한 시간에 편지 쓸 날을 메일로 알려드려요.",
  "home.mood.title": "마음 기록",
  "home.mood.text": "편지마다 감정을 읽어 나의 마음 흐름을 보여드리고, 어울리는 영화와 노래를 추천해요.",

  "signup.title": "회원가입",
  "signup.lead": "가입하면 바로 편지를 쓸 수 있어요.",
  "signup.submit": "가입하기",
  "signup.usernameHint": "150자 이하, 글자·숫자와 @ . + - _",
  "signup.passwordHint": "8자 이상, 숫자만으로는 안 돼요. 흔한 비밀번호나 아이디·이메일과 비슷한 것도 안 돼요.",
  "signup.haveAccount": "이미 계정이 있나요?",
  "login.title": "로그인",
  "login.submit": "로그인",
  "login.noAccount": "처음이신가요?",

  "write.title": "편지 쓰기",
  "write.lead": "미래의 나에게 하고 싶은 말을 적어 보세요. 열어볼 날까지 편지는 봉인돼요.",
  "write.submit": "편지 봉인하기",
  "write.zone": "시간대: {zone}",
  "write.changeZone": "시간대 바꾸기",
  "write.zoneDiffers": "이 기기의 시간대({device})와 달라요. 편지는 프로필의 시간대로 열려요.",
  "write.opensAt": "이 편지는 {date} {time} ({zone})에 열려요.",
  "write.images": "사진 (최대 5장)",
  "write.chooseImages": "사진 고르기",
  "write.imageCount": "{n}/{max}장",
  "write.imageHint": "JPEG, PNG, GIF, WebP · 한 장에 5MB까지. 사진도 편지와 함께 봉인돼요.",
  "write.uploading": "{name} 올리는 중",
  "write.uploadingShort": "올리는 중…",
  "write.uploaded": "올렸어요",
  "write.previewAlt": "고른 사진 미리보기: {name}",
  "write.removeImage": "{name} 빼기",
  "write.tooLarge": "5MB보다 큰 파일은 올릴 수 없어요.",
  "write.badType": "JPEG, PNG, GIF, WebP 이미지만 올릴 수 있어요.",
  "write.tooMany": "사진은 {max}장까지예요. 나머지는 빼 두었어요.",

  "letters.title": "편지함",
  "letters.tabsLabel": "편지 분류",
  "letters.tab.past": "지난 편지",
  "letters.tab.today": "오늘",
  "letters.tab.future": "봉인된 편지",
  "letters.empty.past": "아직 열린 편지가 없어요.",
  "letters.empty.today": "오늘 열리는 편지가 없어요.",
  "letters.empty.future": "기다리고 있는 편지가 없어요. 미래의 나에게 한 통 써 볼까요?",
  "letters.more": "더 보기",
  "letters.opensAt": "{when}에 열려요",
  "letters.openedAt": "{when}에 열림",
  "letters.writtenAt": "{when}에 씀",
  "letters.imageCount": "사진 {n}장",
  "letters.mood": "이 편지의 감정:",
  "letters.delete": "이 편지 삭제",
  "letters.deleteNamed": "{title} 삭제",
  "letters.confirmDelete": "‘{title}’ 편지를 삭제할까요? 사진도 함께 지워지고 되돌릴 수 없어요.",
  "letters.sealedNotice": "편지를 봉인했어요. 열리는 날 메일로 알려드릴게요.",
  "letters.stillSealed": "아직 봉인된 편지예요",
  "letters.missing": "편지를 찾을 수 없어요",
  "letters.back": "← 편지함으로",
  "letters.imageAlt": "편지에 담은 사진 {n}",

  "left.now": "곧 열려요",
  "left.minutes": "{m}분 남음",
  "left.hours": "{h}시간 {m}분 남음",
  "left.days": "{d}일 {h}시간 남음",

  "mood.pending": "분석 중",

  "routines.pageTitle": "루틴·기념일",
  "routines.lead": "편지 쓸 날을 정해 두면 그 시간에 메일로 알려드려요.",
  "routines.title": "편지 루틴",
  "routines.new": "새 루틴",
  "routines.edit": "루틴 수정",
  "routines.weekly": "매주",
  "routines.monthly": "매달",
  "routines.everyWeek": "매주 {day} {time}",
  "routines.everyMonth": "매달 {day}일 {time}",
  "routines.hint": "{zone} 기준. 29~31일은 그 달에 없으면 마지막 날에 알려드려요.",
  "routines.empty": "아직 루틴이 없어요.",
  "routines.confirmDelete": "‘{title}’ 루틴을 삭제할까요?",
  "special.title": "기념일",
  "special.new": "새 기념일",
  "special.edit": "기념일 수정",
  "special.empty": "아직 기념일이 없어요.",
  "special.yearly": "매년 {date}",
  "special.confirmDelete": "‘{title}’ 기념일을 삭제할까요?",

  "cal.title": "달력",
  "cal.prev": "이전 달",
  "cal.next": "다음 달",
  "cal.routine": "루틴",
  "cal.special": "기념일",
  "cal.nothing": "이날은 일정이 없어요.",
  "cal.dayWith": "{date}, 일정 {n}개",
  "cal.deleteNamed": "{title} 삭제",

  "me.title": "마이페이지",
  "me.counts": "나의 기록",
  "me.letters": "편지",
  "me.routines": "루틴",
  "me.specialDates": "기념일",
  "me.noBio": "한 줄 소개가 아직 없어요.",
  "me.birthday": "생일 {date}",
  "me.editProfile": "프로필 수정",
  "me.moodTitle": "나의 감정",
  "me.mostFelt": "가장 많이 느낀 감정: {mood}",
  "me.mostFeltSub": "가장 많이 느낀 세부 감정: {sub}",
  "me.analysed": "분석한 편지 {n}통",
  "me.noAnalysis": "아직 분석된 편지가 없어요. 편지를 쓰면 감정을 읽어 드려요.",
  "me.chartCaption": "감정별 편지 수",
  "me.timeline": "감정 흐름",
  "me.periodLabel": "기간 단위",
  "me.period.week": "주별",
  "me.period.month": "월별",
  "me.noTimeline": "이 기간에 쓴 편지가 없어요.",
  "me.noLetters": "편지 없음",
  "me.recs": "추천",
  "me.recsFor": "요즘의 마음({mood})에 어울리는 것들",
  "me.noRecs": "지금은 추천할 것이 없어요.",
  "me.because.recent_30d": "최근 30일 동안 쓴 편지의 감정을 바탕으로 골랐어요.",
  "me.because.all_time": "지금까지 쓴 모든 편지의 감정을 바탕으로 골랐어요.",
  "me.because.no_data": "아직 분석된 편지가 없어 편안한 것들로 골랐어요.",
  "me.because.mood_unavailable": "감정 기록을 잠시 읽을 수 없어 편안한 것들로 골랐어요.",
  "me.like": "좋아요",
  "me.dislike": "별로예요",
  "me.likeNamed": "{title} 좋아요",
  "me.dislikeNamed": "{title} 별로예요 (다시 추천하지 않아요)",
  "me.reanalyse": "모든 편지 다시 분석",
  "me.reanalysing": "다시 분석하는 중…",
  "me.reanalyseProgress": "다시 분석하는 중… {done}/{total}",
  "me.reanalyseDone": "{total}통을 다시 분석했어요.",
  "me.reanalyseFailed": "다시 분석하지 못했어요. 잠시 뒤에 다시 시도해 주세요.",
  "rec.type.movie": "영화",
  "rec.type.music": "음악",
  "rec.type.book": "책",
  "rec.type.activity": "활동",

  "settings.title": "설정",
  "settings.profile": "프로필",
  "settings.avatarHint": "JPEG, PNG, GIF, WebP · 5MB까지",
  "settings.avatarUploading": "프로필 사진 올리는 중",
  "settings.saved": "저장했어요.",
  "settings.timezone": "시간대",
  "settings.currentZone": "지금 시간대: {zone}",
  "settings.searchZone": "시간대 검색",
  "settings.language": "언어",
  "settings.mail": "메일 알림",
  "settings.mailWhen": "이럴 때 메일을 받을게요",
  "settings.mail.letter_opened": "편지가 열렸을 때",
  "settings.mail.routine_reminder": "루틴 알림",
  "settings.mail.special_date": "기념일 알림",
  "settings.email": "이메일 변경",
  "settings.currentEmail": "지금 이메일: {email}",
  "settings.changeEmail": "이메일 바꾸기",
  "settings.password": "비밀번호 변경",
  "settings.changePassword": "비밀번호 바꾸기",
  "settings.exportTitle": "내 데이터 내려받기",
  "settings.exportText": "프로필, 편지, 루틴, 기념일, 감정 요약, 추천 평가, 알림 기록을 JSON 파일 하나로 내려받아요. 봉인된 편지는 목록에 보이는 만큼만 담겨요.",
  "settings.export": "모두 내려받기",
  "settings.exported": "내려받았어요.",
  "settings.exportFailed": "내려받지 못했어요. 잠시 뒤에 다시 시도해 주세요.",
  "settings.deleteTitle": "계정 삭제",
  "settings.deleteWarning": "계정을 삭제하면 편지, 사진, 루틴, 감정 기록이 모두 지워지고 되돌릴 수 없어요.",
  "settings.deleteAccount": "계정 삭제",
  "settings.deleteConfirm": "정말 계정을 삭제할까요? 모든 편지와 기록이 사라져요.",

  "notifications.title": "알림",
  "notifications.lead": "받은 메일 기록이에요.",
  "notifications.empty": "아직 받은 메일이 없어요.",
  "notifications.kind.letter_opened": "편지가 열렸어요",
  "notifications.kind.routine_reminder": "루틴 알림",
  "notifications.kind.special_date": "기념일 알림",
  "notifications.status.sent": "보냄",
  "notifications.status.sending": "보내는 중",
  "notifications.status.skipped": "보내지 않음",
  "notifications.status.failed": "실패",

  "notFound.title": "페이지를 찾을 수 없어요",
  "notFound.text": "주소가 바뀌었거나 없는 페이지예요.",
  "notFound.home": "홈으로",
};

const en = {
  "app.name": "Letter to Myself",
  "app.footer": "Letter to Myself · today's heart, for the future you.",

  "nav.label": "Main menu",
  "nav.skip": "Skip to content",
  "nav.home": "Home",
  "nav.write": "Write",
  "nav.letters": "Letters",
  "nav.routines": "Routines",
  "nav.me": "My page",
  "nav.notifications": "Notifications",
  "nav.settings": "Settings",
  "nav.login": "Sign in",
  "nav.signup": "Sign up",
  "nav.logout": "Sign out",
  "nav.notFound": "Page not found",

  "common.loading": "Loading…",
  "common.save": "Save",
  "common.add": "Add",
  "common.edit": "Edit",
  "common.delete": "Delete",
  "common.remove": "Remove",
  "common.cancel": "Cancel",
  "common.cancelEdit": "Cancel editing",
  "common.editNamed": "Edit {title}",
  "common.deleteNamed": "Delete {title}",

  "err.network": "The server cannot be reached. Please try again in a moment.",
  "err.generic": "That did not work. Please try again in a moment.",
  "err.invalid": "Please check this value.",
  "err.taken": "Already taken.",
  "err.status.400": "Please check what you entered.",
  "err.status.401": "Check your username (or email) and password.",
  "err.status.403": "You may not do this.",
  "err.status.404": "Not found. It may have been deleted.",
  "err.status.409": "Already taken.",
  "err.status.413": "The file is too large.",
  "err.status.415": "This file type is not supported.",
  "err.status.423": "This letter is still sealed.",
  "err.status.429": "Too many attempts. Please try again in a moment.",
  "err.status.503": "The service is starting. Please try again in a moment.",
  "err.field.username": "Check the username: up to 150 letters, digits and @ . + - _.",
  "err.field.email": "Enter a valid email address.",
  "err.field.password": "Check the password: at least 8 characters, not only digits, not common, not like your username or email.",
  "err.field.password_confirm": "The two passwords differ.",
  "err.field.current_password": "The current password is not right.",
  "err.field.new_password": "Check the new password: at least 8 characters, not only digits, not common.",
  "err.field.title": "Enter a title of up to 200 characters.",
  "err.field.content": "Write something.",
  "err.field.open_date": "The open date must be from today to 100 years ahead.",
  "err.field.open_time": "Enter the time as HH:MM.",
  "err.field.image_ids": "Check the images (at most 5).",
  "err.field.nickname": "Check the nickname.",
  "err.field.bio": "Check the bio.",
  "err.field.birthday": "Check the birthday.",
  "err.field.blog_url": "Enter an address starting with http:// or https://.",
  "err.field.avatar": "The image could not be used: JPEG, PNG, GIF or WebP up to 5 MB.",
  "err.field.timezone": "Choose a timezone from the list.",
  "err.field.locale": "Choose a language.",
  "err.field.kind": "Choose how it repeats.",
  "err.field.weekday": "Choose a weekday.",
  "err.field.day_of_month": "Enter a day from 1 to 31.",
  "err.field.time": "Enter the time as HH:MM.",
  "err.field.name": "Enter a name.",
  "err.field.date": "Check the date.",

  "field.username": "Username",
  "field.usernameOrEmail": "Username or email",
  "field.email": "Email",
  "field.password": "Password",
  "field.passwordConfirm": "Confirm password",
  "field.currentPassword": "Current password",
  "field.newPassword": "New password",
  "field.newEmail": "New email",
  "field.title": "Title",
  "field.content": "Letter",
  "field.openDate": "Open on",
  "field.openTime": "Open at",
  "field.nickname": "Nickname",
  "field.bio": "One-line bio",
  "field.birthday": "Birthday",
  "field.blog": "Blog address",
  "field.avatar": "Profile picture",
  "field.timezone": "Timezone",
  "field.language": "Language",
  "field.routineTitle": "Routine name",
  "field.kind": "Repeats",
  "field.weekday": "Weekday",
  "field.dayOfMonth": "Day of month",
  "field.time": "Time",
  "field.specialName": "Name",
  "field.date": "Date",
  "field.yearly": "Every year",

  "home.title": "Today's heart, for the future you.",
  "home.lead": "Write a letter and choose the day it opens. Until then it stays sealed on our servers: nobody can read it, not even you. On that day, a mail tells you it is open.",
  "home.start": "Get started",
  "home.login": "Sign in",
  "home.write": "Write a letter",
  "home.letters": "See your letters",
  "home.features": "What you can do",
  "home.sealed.title": "Sealed letters",
  "home.sealed.text": "Until the day it opens, a letter's text and pictures stay locked on the server.",
  "home.routine.title": "A writing habit",
  "home.routine.text": "Weekly or monthly, a mail reminds you that it is a day to write.",
  "home.mood.title": "Your moods",
  "home.mood.text": "Each letter's mood is read, your moods are charted, and films and songs to match are suggested.",

  "signup.title": "Sign up",
  "signup.lead": "You can write your first letter right after.",
  "signup.submit": "Create account",
  "signup.usernameHint": "Up to 150 letters, digits and @ . + - _",
  "signup.passwordHint": "At least 8 characters, not only digits, not a common password, not like your username or email.",
  "signup.haveAccount": "Already have an account?",
  "login.title": "Sign in",
  "login.submit": "Sign in",
  "login.noAccount": "New here?",

  "write.title": "Write a letter",
  "write.lead": "Tell your future self what you want to say. The letter stays sealed until the day it opens.",
  "write.submit": "Seal the letter",
  "write.zone": "Timezone: {zone}",
  "write.changeZone": "Change timezone",
  "write.zoneDiffers": "This device is set to {device}; the letter opens in your profile's zone.",
  "write.opensAt": "This letter opens on {date} at {time} ({zone}).",
  "write.images": "Pictures (up to 5)",
  "write.chooseImages": "Choose pictures",
  "write.imageCount": "{n} of {max}",
  "write.imageHint": "JPEG, PNG, GIF, WebP · up to 5 MB each. Pictures are sealed with the letter.",
  "write.uploading": "Uploading {name}",
  "write.uploadingShort": "Uploading…",
  "write.uploaded": "Uploaded",
  "write.previewAlt": "Preview of the chosen picture: {name}",
  "write.removeImage": "Remove {name}",
  "write.tooLarge": "Files over 5 MB cannot be uploaded.",
  "write.badType": "Only JPEG, PNG, GIF and WebP images can be uploaded.",
  "write.tooMany": "Up to {max} pictures; the rest were left out.",

  "letters.title": "Letters",
  "letters.tabsLabel": "Letter categories",
  "letters.tab.past": "Opened",
  "letters.tab.today": "Today",
  "letters.tab.future": "Sealed",
  "letters.empty.past": "No letter has opened yet.",
  "letters.empty.today": "No letter opens today.",
  "letters.empty.future": "No letter is waiting. Write one to your future self?",
  "letters.more": "Show more",
  "letters.opensAt": "Opens {when}",
  "letters.openedAt": "Opened {when}",
  "letters.writtenAt": "Written {when}",
  "letters.imageCount": "{n} picture(s)",
  "letters.mood": "Mood of this letter:",
  "letters.delete": "Delete this letter",
  "letters.deleteNamed": "Delete {title}",
  "letters.confirmDelete": "Delete the letter “{title}”? Its pictures go too, and this cannot be undone.",
  "letters.sealedNotice": "Your letter is sealed. A mail will tell you when it opens.",
  "letters.stillSealed": "This letter is still sealed",
  "letters.missing": "Letter not found",
  "letters.back": "← Back to letters",
  "letters.imageAlt": "Picture {n} of the letter",

  "left.now": "Opens any moment",
  "left.minutes": "{m} min left",
  "left.hours": "{h} h {m} min left",
  "left.days": "{d} days {h} h left",

  "mood.pending": "Being analysed",

  "routines.pageTitle": "Routines & special dates",
  "routines.lead": "Set your writing days and a mail will remind you at that time.",
  "routines.title": "Writing routines",
  "routines.new": "New routine",
  "routines.edit": "Edit routine",
  "routines.weekly": "Weekly",
  "routines.monthly": "Monthly",
  "routines.everyWeek": "Every {day} at {time}",
  "routines.everyMonth": "Monthly on day {day} at {time}",
  "routines.hint": "In {zone}. Days 29–31 fall back to the last day of shorter months.",
  "routines.empty": "No routine yet.",
  "routines.confirmDelete": "Delete the routine “{title}”?",
  "special.title": "Special dates",
  "special.new": "New special date",
  "special.edit": "Edit special date",
  "special.empty": "No special date yet.",
  "special.yearly": "Every year, {date}",
  "special.confirmDelete": "Delete the special date “{title}”?",

  "cal.title": "Calendar",
  "cal.prev": "Previous month",
  "cal.next": "Next month",
  "cal.routine": "Routine",
  "cal.special": "Special date",
  "cal.nothing": "Nothing on this day.",
  "cal.dayWith": "{date}, {n} event(s)",
  "cal.deleteNamed": "Delete {title}",

  "me.title": "My page",
  "me.counts": "My records",
  "me.letters": "Letters",
  "me.routines": "Routines",
  "me.specialDates": "Special dates",
  "me.noBio": "No bio yet.",
  "me.birthday": "Birthday {date}",
  "me.editProfile": "Edit profile",
  "me.moodTitle": "My moods",
  "me.mostFelt": "The mood you felt most: {mood}",
  "me.mostFeltSub": "The feeling you felt most: {sub}",
  "me.analysed": "{n} letter(s) analysed",
  "me.noAnalysis": "No letter has been analysed yet. Write one and its mood will show here.",
  "me.chartCaption": "Letters per mood",
  "me.timeline": "Mood timeline",
  "me.periodLabel": "Period",
  "me.period.week": "Weekly",
  "me.period.month": "Monthly",
  "me.noTimeline": "No letters in this period.",
  "me.noLetters": "no letters",
  "me.recs": "Recommendations",
  "me.recsFor": "For your recent mood ({mood})",
  "me.noRecs": "Nothing to recommend right now.",
  "me.because.recent_30d": "Chosen from the moods of your letters of the last 30 days.",
  "me.because.all_time": "Chosen from the moods of all your letters.",
  "me.because.no_data": "No letter has been analysed yet, so these are gentle picks.",
  "me.because.mood_unavailable": "Your moods cannot be read just now, so these are gentle picks.",
  "me.like": "Like",
  "me.dislike": "Not for me",
  "me.likeNamed": "Like {title}",
  "me.dislikeNamed": "Not for me: {title} (never shown again)",
  "me.reanalyse": "Re-analyse all letters",
  "me.reanalysing": "Re-analysing…",
  "me.reanalyseProgress": "Re-analysing… {done}/{total}",
  "me.reanalyseDone": "{total} letter(s) re-analysed.",
  "me.reanalyseFailed": "The re-analysis failed. Please try again in a moment.",
  "rec.type.movie": "Film",
  "rec.type.music": "Music",
  "rec.type.book": "Book",
  "rec.type.activity": "Activity",

  "settings.title": "Settings",
  "settings.profile": "Profile",
  "settings.avatarHint": "JPEG, PNG, GIF, WebP · up to 5 MB",
  "settings.avatarUploading": "Uploading the profile picture",
  "settings.saved": "Saved.",
  "settings.timezone": "Timezone",
  "settings.currentZone": "Current timezone: {zone}",
  "settings.searchZone": "Search timezones",
  "settings.language": "Language",
  "settings.mail": "Mail",
  "settings.mailWhen": "Send me a mail when",
  "settings.mail.letter_opened": "a letter opens",
  "settings.mail.routine_reminder": "a routine is due",
  "settings.mail.special_date": "a special date comes",
  "settings.email": "Change email",
  "settings.currentEmail": "Current email: {email}",
  "settings.changeEmail": "Change email",
  "settings.password": "Change password",
  "settings.changePassword": "Change password",
  "settings.exportTitle": "Download my data",
  "settings.exportText": "Your profile, letters, routines, special dates, mood summary, recommendation feedback and mail history in one JSON file. Sealed letters are included as the list shows them.",
  "settings.export": "Download everything",
  "settings.exported": "Downloaded.",
  "settings.exportFailed": "The download failed. Please try again in a moment.",
  "settings.deleteTitle": "Delete account",
  "settings.deleteWarning": "Deleting your account erases every letter, picture, routine and mood record. This cannot be undone.",
  "settings.deleteAccount": "Delete account",
  "settings.deleteConfirm": "Really delete your account? Every letter and record will be gone.",

  "notifications.title": "Notifications",
  "notifications.lead": "The mails you were sent.",
  "notifications.empty": "No mail yet.",
  "notifications.kind.letter_opened": "A letter opened",
  "notifications.kind.routine_reminder": "Routine reminder",
  "notifications.kind.special_date": "Special date",
  "notifications.status.sent": "Sent",
  "notifications.status.sending": "Sending",
  "notifications.status.skipped": "Not sent",
  "notifications.status.failed": "Failed",

  "notFound.title": "Page not found",
  "notFound.text": "The address has changed or the page does not exist.",
  "notFound.home": "Go home",
};

const dictionaries = { ko, en };

// Moods and sub-moods: wire keys (architecture.md) and their names.
export const MOODS = ["joy", "sadness", "anger", "anxiety", "love", "neutral"];
const moodNames = {
  ko: { joy: "기쁨", sadness: "슬픔", anger: "분노", anxiety: "불안", love: "사랑", neutral: "중립" },
  en: { joy: "Joy", sadness: "Sadness", anger: "Anger", anxiety: "Anxiety", love: "Love", neutral: "Neutral" },
};
const subMoodNames = {
  ko: {
    ecstasy: "희열", satisfaction: "만족", gratitude: "감사", excitement: "설렘",
    loneliness: "외로움", loss: "상실감", regret: "후회",
    annoyance: "짜증", rage: "분개", resentment: "억울함",
    fear: "두려움", nervousness: "긴장", restlessness: "초조",
    romance: "로맨스", friendship: "우정", respect: "존경",
  },
  en: {
    ecstasy: "Ecstasy", satisfaction: "Satisfaction", gratitude: "Gratitude", excitement: "Excitement",
    loneliness: "Loneliness", loss: "Loss", regret: "Regret",
    annoyance: "Annoyance", rage: "Rage", resentment: "Resentment",
    fear: "Fear", nervousness: "Nervousness", restlessness: "Restlessness",
    romance: "Romance", friendship: "Friendship", respect: "Respect",
  },
};

// Weekdays as the routine API names them, Monday first.
export const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

const LANG_KEY = "ltm.lang";
let lang = readSavedLang();
let tz = "Asia/Seoul"; // the profile's zone once signed in; the product's default before

function readSavedLang() {
  try {
    return localStorage.getItem(LANG_KEY) === "en" ? "en" : "ko";
  } catch {
    return "ko";
  }
}

export const getLang = () => lang;

// setLang switches the page's language (the caller re-renders).
export function setLang(l) {
  lang = l === "en" ? "en" : "ko";
  document.documentElement.lang = lang;
}

// saveLang remembers a signed-out visitor's choice: the only thing this
// client keeps in localStorage (not a secret).
export function saveLang(l) {
  try {
    localStorage.setItem(LANG_KEY, l);
  } catch {
    // storage refused (private mode): the choice lasts for this page
  }
}

export const zone = () => tz;

export function setZone(z) {
  if (z) tz = z;
}

// t is the string for key in the page's language, with {name} filled in.
export function t(key, vars) {
  const s = dictionaries[lang][key] ?? dictionaries.ko[key] ?? key;
  return vars ? s.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m)) : s;
}
t.has = (key) => key in dictionaries[lang];
t.lang = () => lang;

export const moodLabel = (m) => moodNames[lang][m] || m;
export const subMoodLabel = (m) => subMoodNames[lang][m] || m;

// moodText is a letter's mood label: "기쁨 · 감사", or "분석 중" until analysed.
export function moodText(mood, detailed) {
  if (!mood) return t("mood.pending");
  return detailed ? `${moodLabel(mood)} · ${subMoodLabel(detailed)}` : moodLabel(mood);
}

const intlLocale = () => (lang === "ko" ? "ko-KR" : "en-GB");

// fmtDateTime is an instant in the user's zone: "2027년 3월 1일 (월) 오전 9:00".
export function fmtDateTime(iso) {
  if (!iso) return "";
  return new Intl.DateTimeFormat(intlLocale(), { timeZone: tz, dateStyle: "long", timeStyle: "short" }).format(new Date(iso));
}

// fmtWallDate is a calendar date (YYYY-MM-DD), which has no zone.
export function fmtWallDate(date, style = "long") {
  const [y, m, d] = String(date).split("-").map(Number);
  if (!y || !m || !d) return String(date);
  const opts = style === "short" ? { month: "numeric", day: "numeric" } : { dateStyle: "long" };
  return new Intl.DateTimeFormat(intlLocale(), { timeZone: "UTC", ...opts }).format(new Date(Date.UTC(y, m - 1, d)));
}

// fmtMonth is a month's title: "2026년 11월".
export function fmtMonth(year, month) {
  return new Intl.DateTimeFormat(intlLocale(), { timeZone: "UTC", year: "numeric", month: "long" }).format(new Date(Date.UTC(year, month - 1, 1)));
}

// weekdayShort / weekdayLong name the i-th weekday, Monday = 0.
const monday = Date.UTC(2024, 0, 1); // a Monday
export const weekdayShort = (i) => new Intl.DateTimeFormat(intlLocale(), { timeZone: "UTC", weekday: "short" }).format(new Date(monday + i * 864e5));
export const weekdayLong = (i) => new Intl.DateTimeFormat(intlLocale(), { timeZone: "UTC", weekday: "long" }).format(new Date(monday + i * 864e5));

// todayIn is today's date (YYYY-MM-DD) in zone z.
export function todayIn(z) {
  const parts = new Intl.DateTimeFormat("en-CA", { timeZone: z, year: "numeric", month: "2-digit", day: "2-digit" }).formatToParts(new Date());
  const get = (type) => parts.find((p) => p.type === type).value;
  return `${get("year")}-${get("month")}-${get("day")}`;
}

// addYears moves a YYYY-MM-DD date n years on (for the open date's max).
export function addYears(date, n) {
  return `${Number(date.slice(0, 4)) + n}${date.slice(4)}`;
}

// timeLeft is how long until iso, in words.
export function timeLeft(iso) {
  const ms = new Date(iso).getTime() - Date.now();
  if (ms <= 60000) return t("left.now");
  const total = Math.floor(ms / 60000);
  const d = Math.floor(total / 1440);
  const hh = Math.floor((total % 1440) / 60);
  const mm = total % 60;
  if (d > 0) return t("left.days", { d, h: hh });
  if (hh > 0) return t("left.hours", { h: hh, m: mm });
  return t("left.minutes", { m: mm });
}

// zones is every IANA zone the browser knows (with UTC), for the picker.
export function zones() {
  const list = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : ["Asia/Seoul", "UTC"];
  return list.includes("UTC") ? list : [...list, "UTC"];
}
