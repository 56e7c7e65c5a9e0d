// Generated and curated for Enforcer: passwords that top every published list of leaked passwords
// (number runs, keyboard walks, the usual words, names, teams, films and brands), lower-cased, four
// characters or more. Shorter bases are useless on their own (a password has at least 8 characters) but
// the policy also refuses these words with digits or symbols around them, and in leetspeak.
// 1723 entries; one whitespace-separated list so the file stays small and diff-friendly.
export const commonPasswordList = `
!qaz2wsx 0000 000000 00000000 09876543 0987654321 101010 1029384756 1111 11111 111111 1111111 11111111
112233 11223344 1122334455 1212 121212 12121212 123123 123123123 123321 1234 12341234 12344321 12345 123456
1234561 123456123456 1234567 12345678 123456789 1234567890 12345678910 123456789a 123456a 123456q 12345a
1234abcd 1234asdf 1234qwer 1234qwerty 123654 123698745 123abc 123abc123 123asd 123qwe 123qwe123 123qweasd
123qweasdzxc 123zxc 131313 13131313 147258 147258369 147852369 159357 159753 159753456 1989 1990 1991 1992
1a2b3c4d 1q2w3e 1q2w3e4r 1q2w3e4r5t 1q2w3e4r5t6y 1q2w3e4r5t6y7u8i9o0p 1qa2ws3ed 1qaz 1qaz1qaz 1qaz2wsx
1qaz2wsx3edc 1qaz@wsx 1qazxsw2 1qazxsw23edc 1qw23er4 2000 2112 212121 222222 22222222 232323 258369 2wsx
321654987 321qwe 333333 33333333 369258147 3edc 444444 44444444 456123 4815162342 49ers 4rfv 5150 55555
555555 5555555 55555555 5tgb 654321 666666 66666666 696969 69696969 6yhn 741852963 7777 777777 7777777
77777777 789456 789456123 7ujm 8675309 87654321 888888 88888888 963852741 987456321 987654 987654321
9876543210 999999 99999999 a123456 a12345678 a1b2c3 a1b2c3d4 a1s2d3f4 aa123456 aa12345678 aaaa1111 aaaaaa
aaaaaaaa aabbcc aabbccdd aaron abc123 abc1234 abc12345 abc123456 abc123abc abcd123 abcd1234 abcd12345 abcdef
abcdefg abcdefgh abcdefghi abcdefghij abigail access access1 access14 accessdenied accord acdc acer acura
adam addison adidas admin admin1 admin12 admin123 admin1234 admin12345 adminadmin administrator
administrator1 adrienne aerosmith aiden airforce alaska albert alex alexander alexandra alexis alicia alien
alien1 allah allison always amanda amazon amber amber1 amelia america andrea andrew android android1 angel
angel1 angel12 angel2 angela angels angels1 anna anthony antonio anybody anything apple apple1 apple123
apples april aquaman aragorn army arsenal arsenal1 asd123 asdasd asdf asdf1234 asdf;lkj asdfasdf asdfasdf1
asdfg asdfgh asdfgh1 asdfghj asdfghjk asdfghjkl asdfghjkl1 asher ashley ashley1 assassin astros asus atari
aubrey audi audrey august aunt aurora austin australia autumn autumn1 avalanche avatar avengers azerty
azerty123 azertyuiop baby baby1 babyboy babygirl babygirl1 bacon badboy bailey bailey1 banana banana1 bandit
barbie barcelona barney bart baseball baseball1 baseball12 basketball batman batman1 batman123 bayern beach
bear bear1 bears bears1 beatles beautiful beer believe bella bengals benjamin bentley bentley1 benz berlin
bestfriend beyonce bieber bienvenue bigboss bigdaddy bigdick bigdog biggie bitch biteme black black1
blackhawks blessed blessing blink182 blowjob blowme blue blue1 blueberry bluejays blues bond007 bonnie
booboo booger boomer boss boston boston1 boyfriend bradley brandi brandon brandy braveheart braves brazil
brent brett brewers brian britney brittany brittney broncos brooklyn brother brown browns bruins bryan bubba
buddha buddy bugatti bugsbunny bulldog bulls bumblebee burger buster butter butter1 butterfly butthead
caitlin california callofduty calvin camaro camaro1 cameron camila camry canada canada1 candy canucks
capitals captain captain1 captainamerica caramel cardinals carlos carrie carter cartman casey cash casper
cassandra catherine catwoman celtic celtics chad challenger champ champion changeme changeme1 changeme123
chaos charger chargers charizard charles charlie charlie1 charlie2 charlotte cheese cheese1 cheetah chelsea
chelsea1 cherry chester chevrolet chevy chewbacca chicago chicago1 chicken chiefs children china chloe
chloe1 chocolate chris christ christina christine christopher cisco cisco123 civic claire classified cloud
cobra cocacola cocktail coco coconut cody coffee coffee1 coldplay college colton colts compaq computer
computer1 confidential contrasena contraseña cookie cookie1 cookiemonster cookies cooper cooper1 corey
corolla corvette corvette1 cory counterstrike courtney cousin cowboy cowboy1 cowboy2 cowboys cowboys1
cowgirl coyotes craig crazy creative cricket crow crystal crystal1 cubs cupcake cute cutie cyborg cycling
cynthia daddy daisy daisy1 dakota dallas dallas1 dana dance dancer daniel danielle darling darthvader
database daughter david davidson deadpool debbie december default default1 dell demo demo123 demon dennis
derek derrick devil devils dexter diablo diablo1 diamond diamond1 diana dick disco doctor doctor1 dodge
dodgers doggie doggy dollar dolphin dolphin1 dolphins dolphins1 dominique donald dota douglas dragon dragon1
dragon123 dragonball dragonfly dragons drake driver drummer ducati ducks duke dumbledore dustin eagle eagles
eagles1 earth easton edcrfv edward edward1 eleanor elephant elijah elizabeth ella ellie elmo elvis emerald
emily eminem emma empire england enter enterprise eric erica erik erika erin ethan evelyn everyone
everything ewq321 example ezra facebook faith falcon falcon1 falcons fall2023 family1 farm farmer father
february fender ferrari ferrari1 fighter fire fireman fishing flames flash florida florida1 flower flower1
flowers fluffy flyers football football1 football12 ford forest forever forever1 fortnite france frank
freddy freedom freedom1 friday friend friends frodo funny futurama future gabriel gamer gaming gandalf
gandalf1 gangster garden garfield gary gateway gators gemini george germany gfhjkm ghbdtn ghost giants
giants1 ginger ginger1 girlfriend gizmo gladiator gmail god1 god123 goddess godfather goku gold golden
goldenknights golf golfer goodbye goofy google gorgeous gorilla goth grace grandma grandpa gray grayson
green greenday greenlantern gregory grey griffin gryffindor guest guest123 guitar guitar1 guns habs hacked
hacker hacking hallo halo hammer handsome hannah hansolo happy happy123 hardcore harley harley1 harleyquinn
harper harrypotter haslo hawaii hawk hazel heather heaven heaven1 hell hello hello1 hello123 hellokitty
helpme hermione hero heslo hewlett hi123 hiphop hobbit hockey hockey1 hogwarts holly home homer honda honey
horny horse horses hotdog hotdog1 hotmail hotstuff hottie house houston howdy hudson hufflepuff hulk hunter
hunter1 hurricanes husband hyundai icecream iceman iloveu iloveyou iloveyou1 iloveyou123 iloveyou2 india
infiniti insane instagram intel internet internet1 iphone ironman isaac isabella island islanders italy jack
jackass jackie jackson jacob jacqueline jade jaguar jaguar1 jaguar2 jake james jamie january japan jared
jasmine jason jasper java javascript jaxon jazz jedi jeep jeffrey jelszo jenna jennifer jeremy jesse jessica
jessica1 jesus jesus1 jesuschrist jets jets1 jetta joanna joel john johnny johnson joker joker1 jonathan
jordan jordan23 jose joseph joshua josiah juan julian julie july june junior justin justinbieber juventus
karma katherine kathleen kathryn katie kawasaki keith kelly kenneth kenny kermit kevin key123 keys kids
killer killer1 kimberly king kings kirk kiss kitten kitty klaster knight knight1 korn kraken kristen kristi
kristin kristina kristy krystal kyle lacey ladybug lakers lakers1 lamborghini lasvegas latoya laura lauren
layla leafs leagueoflegends leah legend legolas lemon lenovo leopard leslie letmein letmein! letmein1
letmein123 letmein2 letmeinnow levi lexus liam liberty lightning lightning1 lillian lily lily1 lincoln
lindsay lindsey linkinpark linux lion lions lisa liverpoo liverpool liverpool1 lkjhgfdsa lock logan login
lola london london1 losangeles love love1 love123 lovelove lovely lovely1 loveme lover lovers lovers1
loveyou lozinka lucas lucky lucky1 lucy luigi luis luke luna macintosh maddog madison madness madonna madrid
maggie magic magician manager manchester mandy mango manutd march marcus margaret maria marina marine
marine1 mariners mario mark marlboro marlins marriage martin martini mary maserati mason master master1
master12 master123 masterkey mateo matrix matrix1 matrix2 matthew maverick maxwell maybe mazda megan meghan
melissa mercedes mercedes1 mercury merlin merlin1 metal metal1 metallic metallica mets mexico miami michael
michael1 michelle mickey mickeymouse microsoft midnight mike mila milan miller million millionaire milo
minecraft minecraft1 minnie misty mitsubishi mnbvcxz molly mommy monday money money1 money123 monica monkey
monkey1 monkey123 monster monster1 moon moonlight mordor morgan morpheus moscow motdepasse mother mother1
motorcycle mountain muffin murphy music music123 musica mustang mustang1 mustang2 mylove myspace myspace1
mysql nana naruto nascar natalia natalie natasha nathan nathaniel nationals nature navy ncc1701 netflix
network never newyork newyork1 nicholas nicole nikita niners ninja ninja1 nintendo nirvana nirvana1 nissan
noah nobody nokia nora nothing november nurse nvidia ocean october oilers oliver olivia onedirection
onepiece open opensesame openup operator oracle oracle123 orange orange1 orange2 orchid orioles oscar
overwatch owen p455w0rd p4ssw0rd p@ss1234 p@ssw0rd p@ssword p@ssword1 pa$$word pa55word packers packers1
padres paisley pancake panther panther1 panthers panties papa paradise paris parola party partytime pass
pass123 pass1234 pass12345 passkey passpass passport passw0rd passw0rd1 passwd password password! password#
password00 password01 password1 password1! password11 password12 password123 password1234 password12345
password123456 password2 password3 password7 password9 password99 password@ passwort past patricia patrick
patrick1 patriots paul peace peach peaches peanut pearl pegasus penelope penguins pepper pepper1 peter
philip phillies phillip phoenix phoenix1 piano pikachu pilot pimp pineapple pink pirate pirates pizza
pizza123 playboy player player1 playstation please please1 pluto poiuytrewq pokemon pokemon1 police pony
pookie popcorn porn porsche porsche1 postgres predator predators present pretty prince prince1 princess
princess1 princess123 princess2 princesse princessleia private pubg punk puppy purple purple1 python python1
q1w2e3 q1w2e3r4 q1w2e3r4t5 q1w2e3r4t5y6 qaz123 qazwsx qazwsx1 qazwsx123 qazwsxedc qazwsxedcrfv qazxsw queen
queen1 qwaszx qwe123 qwe123qwe qweasd qweasdzxc qweasdzxc1 qweqwe qwer1234 qwer4321 qwert qwerty qwerty01
qwerty1 qwerty11 qwerty12 qwerty123 qwerty1234 qwerty12345 qwerty7 qwertyqwerty qwertyu qwertyui qwertyuio
qwertyuiop qwertyuiop123 qwertz qwertzuiop rabbit rachel radiohead raiders raiders1 rain rainbow rambo ranch
random ranger rangers rangers1 raspberry raven ravenclaw ravens raymond razz realmadrid rebecca red123
redskins redsox redsox1 redwings reggae renee rfvtgb rich richard rihanna riley riley1 river robert robin
roblox robot rocket rockies rocknroll rockstar rocky rocky1 rodeo rollsroyce ronald root root123 rootroot
rose rosebud roses royal royals ruby rugby running rush2112 russia ryan sabres sabrina sadie sailor saint
saints salasana samantha sample samson samsung samsung1 samuel samurai sandra sapphire sara sarah sasuke
saturday sauron savannah scarface scarlett school scooby scoobydoo scooter scorpio scorpion scorpion1 scott
seahawks sean season seattle sebastian secret secret123 secure security sega senha september server service
sesame sesame1 sexsex sexy sexy123 shadow shadow1 shadow123 shakira shane shannon shark sharks shawn
shithead sierra sifre silver silver1 simpsons singer sister sith skateboard skater skylar skyrim skywalker
slayer slipknot slipknot1 slytherin smile smiley smokey smokey1 snake snape sniper snoopy snoopy1 snow
snowboard soccer soccer123 soldier soldier1 somebody something sonic sony sophia sophie sophie1 sorry
southpark space spain spanky sparky spider spider1 spiderman spirit spock spongebob spring spring1
spring2023 stacy star starcraft stargate starlight stars startrek startrek1 starwars starwars1 steelers
steelers1 stella stephanie stephen steven storm strawberry stud student stupid subaru success success1
suckit sugar summer summer1 summer2020 summer2021 summer2022 summer2023 summer2024 sunday sunflower
sunflower1 sunny sunrise sunset sunshine sunshine1 superman superman1 superman12 superuser supervisor
support surfer suzuki sweetheart sweetie swimming sydney sysadmin system system1 tara taylor taylorswift
teacher teddy tennis tennis1 tequila terminator tesla test test123 test1234 tester testing testing123 texans
texas tgbyhn thanks thankyou theman theodore theresa thomas thomas1 thor thug thunder thunder1 thursday
thx1138 tiffany tiger tiger1 tigers tigers1 tigger time timothy tina tinkerbell titanic titans toby together
tokyo toor topsecret toyota toyota1 tractor travis tree trees trinity truck trucker trustme trustno1 tucker
tuesday tulip tupac turtle turtle1 tweety twilight twins twitter tyler ubuntu uncle unicorn united unlock
usa123 user user123 vader valerie vampire vanessa vanilla vegas vegeta veronica victor victoria viking
vikings violet violin viper viper1 vodka voldemort volkswagen volleyball voodoo wachtwoord warcraft warrior
warrior1 warriors water watermelon webmaster wedding wednesday welcome welcome! welcome01 welcome1 welcome12
welcome123 welcome2 welkom werewolf whale whatever whatever1 whiskers whiskey white whitney wife wild
william willie willkommen wilson wind windows wine winner winner1 winston winston1 winter winter1 winter2020
winter2021 winter2022 witcher wizard wizard1 wizard2 wolf wolverine wolverine1 wolves wonderwoman wsx123
wsxedc wyatt xbox xsw2zaq1 xxxxxx xxxxxxxx yahoo yamaha yamaha1 yankees yankees1 yellow yellow1 yhnujm yoda
youtube ytrewq zachary zaq12wsx zaq12wsx3edc zaq1xsw2 zaq1zaq1 zelda zeus zoey zombie zxc123 zxcvb zxcvbn
zxcvbn1 zxcvbnm zxcvbnm1 zxcvbnm123 zxczxc zzzzzz
`;
